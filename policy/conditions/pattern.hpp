// Kyverno's string patterns (pkg/engine/pattern, pkg/engine/operator) as AnyIn, AllIn, AnyNotIn and
// AllNotIn apply them to a value written as a range: "1-10", "100Mi-1Gi", "1h-2h", "1!-10", with "|" for
// alternatives, "&" for conjunctions and ">", ">=", "<", "<=", "!" prefixes. Bounds compare as durations,
// then quantities; anything else compares as a wildcard pattern (equality only).
#pragma once

#include <string_view>

namespace signet::policy {

enum class PatternOperator { Equal, MoreEqual, LessEqual, NotEqual, More, Less, InRange, NotInRange };

// The operator a pattern string starts with or is shaped as (GetOperatorFromStringPattern).
PatternOperator pattern_operator(std::string_view pattern);

// Whether `value` satisfies the string pattern (validateStringPatterns).
bool matches_string_pattern(std::string_view value, std::string_view pattern);

}  // namespace signet::policy
