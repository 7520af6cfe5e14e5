// Value helpers shared by the evaluator and the function bodies, charging their work to the budget
// (values share their arrays and objects, so a small value can stand for a huge tree).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "policy/jmespath/functions.hpp"

namespace signet::policy::jmespath {

// JSON equality (numbers by value, objects regardless of order).
Result<bool> equal(CallContext& context, const json::Value& a, const json::Value& b);

// Compact JSON text, refused when it would exceed the budget.
Result<std::string> to_text(CallContext& context, const json::Value& value);

// Unicode code points in UTF-8 text.
std::size_t code_points(std::string_view text);

// Longest string a function may build.
constexpr std::size_t kMaxStringBytes = 16u << 20;

}  // namespace signet::policy::jmespath
