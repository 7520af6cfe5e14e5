#include "policy/conditions/pattern.hpp"

#include <optional>
#include <string>
#include <utility>

#include "policy/conditions/duration.hpp"
#include "policy/conditions/quantity.hpp"
#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {

namespace {

bool is_pattern_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// One bound of a range: [-|+]? digits (. digits)? letters*. Returns the index past it, or npos.
std::size_t bound_end(std::string_view s, std::size_t i) {
  if (i < s.size() && (s[i] == '-' || s[i] == '|' || s[i] == '+')) ++i;
  const std::size_t digits = i;
  while (i < s.size() && is_pattern_digit(s[i])) ++i;
  if (i == digits) return std::string_view::npos;
  if (i + 1 < s.size() && s[i] == '.' && is_pattern_digit(s[i + 1])) {
    ++i;
    while (i < s.size() && is_pattern_digit(s[i])) ++i;
  }
  while (i < s.size() && is_letter(s[i])) ++i;
  return i;
}

// The two bounds of "left<separator>right", the whole string; each part is unambiguous, so a greedy scan
// finds the only split the anchored regular expression could.
std::optional<std::pair<std::string_view, std::string_view>> split_range(std::string_view s,
                                                                         std::string_view separator) {
  const std::size_t left_end = bound_end(s, 0);
  if (left_end == std::string_view::npos || s.substr(left_end, separator.size()) != separator) return std::nullopt;
  const std::size_t right_start = left_end + separator.size();
  if (bound_end(s, right_start) != s.size()) return std::nullopt;
  return std::pair{s.substr(0, left_end), s.substr(right_start)};
}

std::string_view trim(std::string_view s, std::string_view characters) {
  const auto first = s.find_first_not_of(characters);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(characters) - first + 1);
}

constexpr std::string_view kSpaces = " \t\n\v\f\r";

std::size_t operator_length(PatternOperator op) {
  switch (op) {
    case PatternOperator::MoreEqual:
    case PatternOperator::LessEqual:
      return 2;
    case PatternOperator::NotEqual:
    case PatternOperator::More:
    case PatternOperator::Less:
      return 1;
    default:
      return 0;
  }
}

template <class T>
std::optional<bool> compare_ordered(const T& value, const T& bound, PatternOperator op) {
  switch (op) {
    case PatternOperator::Equal:
      return value == bound;
    case PatternOperator::NotEqual:
      return !(value == bound);
    case PatternOperator::More:
      return bound < value;
    case PatternOperator::Less:
      return value < bound;
    case PatternOperator::MoreEqual:
      return !(value < bound);
    case PatternOperator::LessEqual:
      return !(bound < value);
    default:
      return std::nullopt;
  }
}

struct OrderedQuantity {
  Quantity q;
  bool operator==(const OrderedQuantity& o) const { return q.compare(o.q) == 0; }
  bool operator<(const OrderedQuantity& o) const { return q.compare(o.q) < 0; }
};

bool validate_string(std::string_view value, std::string_view bound, PatternOperator op) {
  if (const auto b = parse_go_duration(bound)) {
    if (const auto v = parse_go_duration(value)) {
      if (auto r = compare_ordered(*v, *b, op)) return *r;
    }
  }
  if (const auto b = Quantity::parse(bound)) {
    if (const auto v = Quantity::parse(value)) {
      if (auto r = compare_ordered(OrderedQuantity{*v}, OrderedQuantity{*b}, op)) return *r;
    }
  }
  if (op == PatternOperator::Equal) return wildcard_match(bound, value);
  if (op == PatternOperator::NotEqual) return !wildcard_match(bound, value);
  return false;  // ordering does not apply to plain strings
}

bool validate_string_pattern(std::string_view value, std::string_view pattern) {
  const PatternOperator op = pattern_operator(pattern);
  if (op == PatternOperator::InRange) {
    const auto bounds = split_range(pattern, "-");
    if (!bounds) return false;
    return validate_string(value, bounds->first, PatternOperator::MoreEqual) &&
           validate_string(value, bounds->second, PatternOperator::LessEqual);
  }
  if (op == PatternOperator::NotInRange) {
    const auto bounds = split_range(pattern, "!-");
    if (!bounds) return false;
    return validate_string(value, bounds->first, PatternOperator::Less) ||
           validate_string(value, bounds->second, PatternOperator::More);
  }
  return validate_string(value, trim(pattern.substr(operator_length(op)), kSpaces), op);
}

}  // namespace

PatternOperator pattern_operator(std::string_view pattern) {
  if (pattern.size() < 2) return PatternOperator::Equal;
  if (pattern.starts_with(">=")) return PatternOperator::MoreEqual;
  if (pattern.starts_with("<=")) return PatternOperator::LessEqual;
  if (pattern.starts_with(">")) return PatternOperator::More;
  if (pattern.starts_with("<")) return PatternOperator::Less;
  if (pattern.starts_with("!")) return PatternOperator::NotEqual;
  if (split_range(pattern, "!-")) return PatternOperator::NotInRange;
  if (split_range(pattern, "-")) return PatternOperator::InRange;
  return PatternOperator::Equal;
}

bool matches_string_pattern(std::string_view value, std::string_view pattern) {
  if (value == pattern) return true;
  // "|" separates alternatives, "&" conjunctions within one; each part is trimmed of spaces.
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = pattern.find('|', start);
    const std::string_view alternative = trim(pattern.substr(start, bar - start), " ");
    bool all = true;
    std::size_t from = 0;
    for (;;) {
      const std::size_t amp = alternative.find('&', from);
      if (!validate_string_pattern(value, trim(alternative.substr(from, amp - from), " "))) {
        all = false;
        break;
      }
      if (amp == std::string_view::npos) break;
      from = amp + 1;
    }
    if (all) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

}  // namespace signet::policy
