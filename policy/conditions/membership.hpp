// Kyverno's membership operators: In and NotIn (deprecated) and AnyIn, AllIn, AnyNotIn, AllNotIn, with a
// scalar or a list on either side, wildcards matched both ways, a value that is a JSON list in a string,
// and (for the Any/All forms) ranges such as "1-10".
#pragma once

#include "crypto/result.hpp"
#include "policy/conditions/conditions.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

// `op` is one of the six membership operators.
Result<bool> check_membership(ConditionOperator op, const json::Value& key, const json::Value& value);

}  // namespace signet::policy
