// Kyverno's condition operators and its any/all condition blocks, as `verifyImages` attestations (and
// preconditions and deny rules) use them. Keys and values arrive with their variables already substituted;
// each operator decides exactly as Kyverno's handler does, quirks included, so a policy written for
// Kyverno passes and fails the same things here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

enum class ConditionOperator {
  Equals,
  NotEquals,
  In,  // deprecated in Kyverno, still evaluated
  AnyIn,
  AllIn,
  NotIn,  // deprecated in Kyverno, still evaluated
  AnyNotIn,
  AllNotIn,
  GreaterThan,
  GreaterThanOrEquals,
  LessThan,
  LessThanOrEquals,
  DurationGreaterThan,  // the Duration* ones are deprecated in Kyverno, still evaluated
  DurationGreaterThanOrEquals,
  DurationLessThan,
  DurationLessThanOrEquals
};

// The operator named as Kyverno's policy validation accepts it: the CRD's sixteen names, case-sensitive,
// plus the deprecated "Equal" and "NotEqual"; nullopt for anything else.
std::optional<ConditionOperator> parse_condition_operator(std::string_view name);

// The operator's canonical name ("Equals" for Equal as well).
const char* to_string(ConditionOperator op);

struct Condition {
  json::Value key;  // after variable substitution
  ConditionOperator op;
  json::Value value;    // after variable substitution
  std::string message;  // the condition's own message, "" if none
};

// Whether `key op value` holds, as Kyverno's operator handler decides. Mismatched types, unparsable
// durations or quantities and unsupported shapes are a plain false there, and so here. The one error:
// In/NotIn with a list key holding a non-string, where Kyverno fails the evaluation (it panics).
Result<bool> check_condition(const Condition& condition);

struct ConditionBlock {
  std::vector<Condition> any;
  std::vector<Condition> all;
};

// passed: every `all` condition holds and, when `any` is not empty, at least one `any` condition does.
// On failure `reason` names the failing conditions, "; "-separated, in Kyverno's order: every `any`
// condition when none held, then the first `all` condition that failed. Each is named by its message,
// or else as `KEY OPERATOR VALUE` in JSON with the values found, each shortened to about 100 characters.
struct ConditionOutcome {
  bool passed;
  std::string reason;
};
Result<ConditionOutcome> evaluate_conditions(const ConditionBlock& block);

}  // namespace signet::policy
