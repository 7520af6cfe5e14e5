#include "policy/conditions/conditions.hpp"

#include <utility>

#include "policy/conditions/duration.hpp"
#include "policy/conditions/go_values.hpp"
#include "policy/conditions/membership.hpp"
#include "policy/conditions/quantity.hpp"
#include "policy/conditions/semver.hpp"
#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {

namespace {

constexpr std::pair<std::string_view, ConditionOperator> kOperatorNames[] = {
    {"Equals", ConditionOperator::Equals},
    {"NotEquals", ConditionOperator::NotEquals},
    {"In", ConditionOperator::In},
    {"AnyIn", ConditionOperator::AnyIn},
    {"AllIn", ConditionOperator::AllIn},
    {"NotIn", ConditionOperator::NotIn},
    {"AnyNotIn", ConditionOperator::AnyNotIn},
    {"AllNotIn", ConditionOperator::AllNotIn},
    {"GreaterThan", ConditionOperator::GreaterThan},
    {"GreaterThanOrEquals", ConditionOperator::GreaterThanOrEquals},
    {"LessThan", ConditionOperator::LessThan},
    {"LessThanOrEquals", ConditionOperator::LessThanOrEquals},
    {"DurationGreaterThan", ConditionOperator::DurationGreaterThan},
    {"DurationGreaterThanOrEquals", ConditionOperator::DurationGreaterThanOrEquals},
    {"DurationLessThan", ConditionOperator::DurationLessThan},
    {"DurationLessThanOrEquals", ConditionOperator::DurationLessThanOrEquals},
    // Deprecated spellings Kyverno still accepts.
    {"Equal", ConditionOperator::Equals},
    {"NotEqual", ConditionOperator::NotEquals},
};

// --- durations shared by the equality and ordering operators (operator.go's parseDuration) ---

// Both sides as seconds when at least one is a duration string (other than "0") and the other is a
// duration string or a number of seconds.
std::optional<std::pair<double, double>> as_durations(const json::Value& key, const json::Value& value) {
  auto duration_string = [](const json::Value& v) -> std::optional<std::int64_t> {
    if (!v.is_string() || v.as_string() == "0") return std::nullopt;
    return parse_go_duration(v.as_string());
  };
  auto k = duration_string(key);
  auto v = duration_string(value);
  if (!k && !v) return std::nullopt;
  if (!k) {
    if (!key.is_number()) return std::nullopt;
    k = go_seconds_to_duration(key.as_number());
  }
  if (!v) {
    if (!value.is_number()) return std::nullopt;
    v = go_seconds_to_duration(value.as_number());
  }
  return std::pair{go_duration_seconds(*k), go_duration_seconds(*v)};
}

// --- Equals (equal.go); NotEquals is its mirror with its own fallbacks (notequal.go) ---

bool strings_equal(const std::string& key, const json::Value& value) {
  if (const auto d = as_durations(json::Value(key), value)) return d->first == d->second;
  if (const auto k = Quantity::parse(key); k && value.is_string()) {
    const auto v = Quantity::parse(value.as_string());
    return v && *k == *v;
  }
  return value.is_string() && wildcard_match(value.as_string(), key);
}

bool strings_not_equal(const std::string& key, const json::Value& value) {
  if (const auto d = as_durations(json::Value(key), value)) return d->first != d->second;
  if (const auto k = Quantity::parse(key); k && value.is_string()) {
    if (value.as_string().empty()) return !wildcard_match("", key);
    const auto v = Quantity::parse(value.as_string());
    return !v || !(*k == *v);
  }
  return !value.is_string() || !wildcard_match(value.as_string(), key);
}

bool equals(const json::Value& key, const json::Value& value) {
  switch (key.type()) {
    case json::Type::Boolean:
      return value.is_bool() && key.as_bool() == value.as_bool();
    case json::Type::Number:
      if (value.is_number()) return key.as_number() == value.as_number();
      if (value.is_string()) {
        const auto v = parse_go_float(value.as_string());
        return v && *v == key.as_number();
      }
      return false;
    case json::Type::String:
      return strings_equal(key.as_string(), value);
    case json::Type::Array:
      return value.is_array() && key == value;
    case json::Type::Object:
      return value.is_object() && key == value;
    case json::Type::Null:
      return false;
  }
  return false;
}

bool not_equals(const json::Value& key, const json::Value& value) {
  switch (key.type()) {
    case json::Type::Boolean:
      return !value.is_bool() || key.as_bool() != value.as_bool();
    case json::Type::Number:
      if (value.is_number()) return key.as_number() != value.as_number();
      if (value.is_string()) {
        const auto v = parse_go_float(value.as_string());
        return !v || *v != key.as_number();
      }
      return true;
    case json::Type::String:
      return strings_not_equal(key.as_string(), value);
    case json::Type::Array:
      return !value.is_array() || !(key == value);
    case json::Type::Object:
      return !value.is_object() || !(key == value);
    case json::Type::Null:
      return false;  // Kyverno's NotEquals has no case for a null key either
  }
  return false;
}

// --- GreaterThan and friends (numeric.go) ---

template <class T>
bool ordered(ConditionOperator op, const T& key, const T& value) {
  switch (op) {
    case ConditionOperator::GreaterThan:
    case ConditionOperator::DurationGreaterThan:
      return key > value;
    case ConditionOperator::GreaterThanOrEquals:
    case ConditionOperator::DurationGreaterThanOrEquals:
      return key >= value;
    case ConditionOperator::LessThan:
    case ConditionOperator::DurationLessThan:
      return key < value;
    case ConditionOperator::LessThanOrEquals:
    case ConditionOperator::DurationLessThanOrEquals:
      return key <= value;
    default:
      return false;
  }
}

bool number_ordered(ConditionOperator op, double key, const json::Value& value) {
  if (value.is_number()) return ordered(op, key, value.as_number());
  if (!value.is_string()) return false;
  if (const auto d = as_durations(json::Value(key), value)) return ordered(op, d->first, d->second);
  if (const auto v = parse_go_float(value.as_string())) return ordered(op, key, *v);
  return false;
}

bool numeric(ConditionOperator op, const json::Value& key, const json::Value& value) {
  if (key.is_number()) return number_ordered(op, key.as_number(), value);
  if (!key.is_string()) return false;
  const std::string& text = key.as_string();
  if (const auto d = as_durations(key, value)) return ordered(op, d->first, d->second);
  if (value.is_string()) {
    const auto k = Quantity::parse(text);
    const auto v = k ? Quantity::parse(value.as_string()) : std::nullopt;
    if (k && v) return ordered(op, k->compare(*v), 0);
  }
  if (const auto k = parse_go_float(text)) return number_ordered(op, *k, value);
  if (const auto k = SemanticVersion::parse(text)) {
    if (!value.is_string()) return false;
    const auto v = SemanticVersion::parse(value.as_string());
    return v && ordered(op, k->compare(*v), 0);
  }
  return false;
}

// --- Duration* (duration.go): numbers are seconds, strings Go durations ("0" included) ---

std::optional<std::int64_t> duration_of(const json::Value& v) {
  if (v.is_number()) return go_seconds_to_duration(v.as_number());
  if (v.is_string()) return parse_go_duration(v.as_string());
  return std::nullopt;
}

bool duration(ConditionOperator op, const json::Value& key, const json::Value& value) {
  const auto k = duration_of(key);
  if (!k) return false;
  const auto v = duration_of(value);
  return v && ordered(op, *k, *v);
}

// JSON of a value found, cut to about 100 characters (on a UTF-8 boundary) so a large predicate
// cannot flood a deny message.
std::string shortened_json(const json::Value& value) {
  constexpr std::size_t kLimit = 100;
  std::string text = json::to_json(value);
  if (text.size() <= kLimit) return text;
  std::size_t cut = kLimit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

std::string describe(const Condition& condition) {
  if (!condition.message.empty()) return condition.message;
  return shortened_json(condition.key) + " " + to_string(condition.op) + " " + shortened_json(condition.value);
}

void append_reason(std::string& reasons, const Condition& condition) {
  if (!reasons.empty()) reasons += "; ";
  reasons += describe(condition);
}

}  // namespace

std::optional<ConditionOperator> parse_condition_operator(std::string_view name) {
  for (const auto& [spelling, op] : kOperatorNames) {
    if (spelling == name) return op;
  }
  return std::nullopt;
}

const char* to_string(ConditionOperator op) {
  for (const auto& [spelling, candidate] : kOperatorNames) {
    if (candidate == op) return spelling.data();  // the canonical spelling comes first
  }
  return "unknown";
}

Result<bool> check_condition(const Condition& condition) {
  const json::Value& key = condition.key;
  const json::Value& value = condition.value;
  const ConditionOperator op = condition.op;
  switch (op) {
    case ConditionOperator::Equals:
      return equals(key, value);
    case ConditionOperator::NotEquals:
      return not_equals(key, value);
    case ConditionOperator::In:
    case ConditionOperator::AnyIn:
    case ConditionOperator::AllIn:
    case ConditionOperator::NotIn:
    case ConditionOperator::AnyNotIn:
    case ConditionOperator::AllNotIn:
      return check_membership(op, key, value);
    case ConditionOperator::GreaterThan:
    case ConditionOperator::GreaterThanOrEquals:
    case ConditionOperator::LessThan:
    case ConditionOperator::LessThanOrEquals:
      return numeric(op, key, value);
    case ConditionOperator::DurationGreaterThan:
    case ConditionOperator::DurationGreaterThanOrEquals:
    case ConditionOperator::DurationLessThan:
    case ConditionOperator::DurationLessThanOrEquals:
      return duration(op, key, value);
  }
  return false;
}

Result<ConditionOutcome> evaluate_conditions(const ConditionBlock& block) {
  // Kyverno evaluates the whole `any` list up to its first success, then `all` up to its first failure.
  bool any_passed = block.any.empty();
  std::string any_failures;
  for (std::size_t i = 0; i < block.any.size(); ++i) {
    auto held = check_condition(block.any[i]);
    if (!held) return held.error().context("condition any[" + std::to_string(i) + "]");
    if (*held) {
      any_passed = true;
      break;
    }
    append_reason(any_failures, block.any[i]);
  }
  std::string reason = any_passed ? std::string() : any_failures;
  bool all_passed = true;
  for (std::size_t i = 0; i < block.all.size(); ++i) {
    auto held = check_condition(block.all[i]);
    if (!held) return held.error().context("condition all[" + std::to_string(i) + "]");
    if (!*held) {
      all_passed = false;
      append_reason(reason, block.all[i]);
      break;
    }
  }
  const bool passed = any_passed && all_passed;
  return ConditionOutcome{passed, passed ? std::string() : reason};
}

}  // namespace signet::policy
