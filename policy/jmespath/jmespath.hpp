// JMESPath (https://jmespath.org/specification.html) with Kyverno's custom functions, as Kyverno's
// conditions and `{{ }}` variables evaluate it. Errors are Invalid and their message starts with the
// compliance suite's error kind: "syntax: ", "invalid-type: ", "invalid-value: ", "invalid-arity: ",
// "unknown-function: ".
#pragma once

#include <memory>
#include <string_view>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy::jmespath {

// A compiled expression: immutable, so one may be evaluated from several threads at once.
class Expression;

Result<std::shared_ptr<const Expression>> compile(std::string_view expression);
Result<json::Value> search(const Expression& expression, const json::Value& data);
Result<json::Value> search(std::string_view expression, const json::Value& data);  // compile + search

}  // namespace signet::policy::jmespath
