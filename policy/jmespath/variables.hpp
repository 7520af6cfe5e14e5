// Kyverno's `{{ }}` variable substitution (pkg/engine/variables/vars.go) over a JSON value: strings in
// arrays and objects are substituted, keys are left as they are.
//   - a string that is exactly one "{{ expr }}" becomes the expression's value, of any JSON type;
//   - "{{ expr }}" inside a longer string becomes the value's text (strings as they are, others as JSON),
//     and the result is scanned again (a value may itself hold variables), except after "{{- expr }}";
//   - "\{{" escapes a variable and is unescaped at the end.
// `context` holds what variables see (request, element, images, the predicate, ...). An expression that
// fails or yields null is an Invalid error naming the variable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

Result<json::Value> substitute_variables(const json::Value& value, const json::Value& context);
bool has_variables(std::string_view text);
// The expressions of the variables in `text`, in order ("keys.data.prod" for "{{ keys.data.prod }}").
std::vector<std::string> variable_expressions(const std::string& text);

}  // namespace signet::policy
