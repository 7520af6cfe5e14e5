#include "policy/conditions/membership.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "policy/conditions/go_values.hpp"
#include "policy/conditions/pattern.hpp"
#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {

namespace {

using Strings = std::vector<std::string>;

// What a handler found: nullopt where Kyverno's "invalid type" branch makes the operator false whatever
// its polarity.
using Found = std::optional<bool>;

bool either_way(std::string_view a, std::string_view b) { return wildcard_match(a, b) || wildcard_match(b, a); }

Strings sprint_elements(const json::Array& array) {
  Strings out;
  out.reserve(array.size());
  for (const auto& element : array) out.push_back(go_sprint_element(element));
  return out;
}

// A string value that is not a pattern match: a JSON list of strings for In/NotIn (anything else is
// invalid), and for the Any/All forms also any non-JSON string taken as a one-element list.
std::optional<Strings> string_value_as_list(const std::string& value, bool non_json_is_single) {
  if (non_json_is_single && !is_valid_json(value)) return Strings{value};
  return parse_json_string_list(value);
}

// --- In / NotIn (keyExistsInArray, setExistsInArray) ---

Found key_in(const std::string& key, const json::Value& value) {
  if (value.is_array()) {
    for (const auto& element : value.as_array()) {
      if (either_way(go_sprint_element(element), key)) return true;
    }
    return false;
  }
  if (!value.is_string()) return std::nullopt;
  if (wildcard_match(value.as_string(), key)) return true;
  const auto list = string_value_as_list(value.as_string(), false);
  if (!list) return std::nullopt;
  return std::find(list->begin(), list->end(), key) != list->end();
}

// In: every key is in the value (exactly, no wildcards); NotIn: some key is not.
Found keys_in(const Strings& keys, const json::Value& value, bool not_in) {
  std::optional<Strings> available;
  if (value.is_array()) {
    available.emplace();
    for (const auto& element : value.as_array()) {
      if (!element.is_string()) return std::nullopt;
      available->push_back(element.as_string());
    }
  } else if (value.is_string()) {
    // A single key equal to the string counts as found, for NotIn as well (Kyverno's quirk).
    if (keys.size() == 1 && keys[0] == value.as_string()) return true;
    available = string_value_as_list(value.as_string(), false);
    if (!available) return std::nullopt;
  } else {
    return std::nullopt;
  }
  const std::unordered_set<std::string> set(available->begin(), available->end());
  const bool all_found = std::all_of(keys.begin(), keys.end(), [&](const auto& k) { return set.count(k) > 0; });
  return not_in ? !all_found : all_found;
}

// --- AnyIn / AllIn / AnyNotIn / AllNotIn (anyKeyExistsInArray, anySetExistsInArray, allSetExistsInArray) ---

Found scalar_key_in(const std::string& key, const json::Value& value) {
  if (value.is_array()) {
    for (const auto& element : value.as_array()) {
      if (either_way(go_sprint_element(element), key)) return true;
    }
    return false;
  }
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.as_string();
  if (wildcard_match(text, key)) return true;
  if (pattern_operator(text) == PatternOperator::InRange) return matches_string_pattern(key, text);
  const auto list = string_value_as_list(text, true);
  if (!list) return std::nullopt;
  return std::find(list->begin(), list->end(), key) != list->end();
}

bool matches_any(const std::string& key, const Strings& values) {
  return std::any_of(values.begin(), values.end(), [&](const auto& v) { return either_way(key, v); });
}

enum class Quantifier { AnyIn, AnyNotIn, AllIn, AllNotIn };

bool quantify(Quantifier q, const Strings& keys, const Strings& values) {
  auto in = [&](const std::string& k) { return matches_any(k, values); };
  switch (q) {
    case Quantifier::AnyIn:
      return std::any_of(keys.begin(), keys.end(), in);
    case Quantifier::AnyNotIn:
      return std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return !in(k); });
    case Quantifier::AllIn:
      return std::all_of(keys.begin(), keys.end(), in);
    case Quantifier::AllNotIn:
      return std::none_of(keys.begin(), keys.end(), in);
  }
  return false;
}

Found keys_quantified(Quantifier q, const Strings& keys, const json::Value& value) {
  const bool any_form = q == Quantifier::AnyIn || q == Quantifier::AnyNotIn;
  const bool negated = q == Quantifier::AnyNotIn || q == Quantifier::AllNotIn;
  if (value.is_array()) return quantify(q, keys, sprint_elements(value.as_array()));
  if (value.is_number() || value.is_bool()) {
    if (!any_form) return std::nullopt;  // AllIn/AllNotIn take no scalar value here
    return quantify(q, keys, Strings{go_sprint(value)});
  }
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.as_string();
  if (keys.size() == 1 && keys[0] == text) return !negated;
  if (pattern_operator(text) == PatternOperator::InRange) {
    auto in_range = [&](const std::string& k) { return matches_string_pattern(k, text); };
    switch (q) {
      case Quantifier::AnyIn:
        return std::any_of(keys.begin(), keys.end(), in_range);
      case Quantifier::AnyNotIn: {
        // Kyverno turns the first "-" into "!-": a negative lower bound makes that a "!" pattern instead.
        std::string outside = text;
        outside.replace(outside.find('-'), 1, "!-");
        return std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return matches_string_pattern(k, outside); });
      }
      case Quantifier::AllIn:
        return std::all_of(keys.begin(), keys.end(), in_range);
      case Quantifier::AllNotIn:
        return std::none_of(keys.begin(), keys.end(), in_range);
    }
  }
  const auto list = string_value_as_list(text, true);
  if (!list) return std::nullopt;
  return quantify(q, keys, *list);
}

Quantifier quantifier_of(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::AnyIn:
      return Quantifier::AnyIn;
    case ConditionOperator::AllIn:
      return Quantifier::AllIn;
    case ConditionOperator::AnyNotIn:
      return Quantifier::AnyNotIn;
    default:
      return Quantifier::AllNotIn;
  }
}

}  // namespace

Result<bool> check_membership(ConditionOperator op, const json::Value& key, const json::Value& value) {
  const bool legacy = op == ConditionOperator::In || op == ConditionOperator::NotIn;
  const bool negated =
      op == ConditionOperator::NotIn || op == ConditionOperator::AnyNotIn || op == ConditionOperator::AllNotIn;

  if (key.is_string() || key.is_number() || key.is_bool()) {
    const std::string k = key.is_string() ? key.as_string() : go_sprint(key);
    const Found found = legacy ? key_in(k, value) : scalar_key_in(k, value);
    if (!found) return false;
    return negated ? !*found : *found;
  }
  if (!key.is_array()) return false;  // null and objects are unsupported keys

  Strings keys;
  if (legacy) {
    for (std::size_t i = 0; i < key.as_array().size(); ++i) {
      const auto& element = key.as_array()[i];
      if (!element.is_string()) {
        return Error::invalid(std::string("operator ") + to_string(op) +
                              " needs a list of strings as key, but element " + std::to_string(i) + " is " +
                              json::to_string(element.type()) + " " + json::to_json(element) +
                              " (AnyIn/AllIn/AnyNotIn/AllNotIn accept any list)");
      }
      keys.push_back(element.as_string());
    }
    return keys_in(keys, value, op == ConditionOperator::NotIn).value_or(false);
  }
  keys = sprint_elements(key.as_array());
  return keys_quantified(quantifier_of(op), keys, value).value_or(false);
}

}  // namespace signet::policy
