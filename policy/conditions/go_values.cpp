#include "policy/conditions/go_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace signet::policy {

namespace {

void append_sprint(std::string& out, const json::Value& value, bool top_level) {
  switch (value.type()) {
    case json::Type::Null:
      out += "<nil>";
      return;
    case json::Type::Boolean:
      out += value.as_bool() ? "true" : "false";
      return;
    case json::Type::Number: {
      const double d = value.as_number();
      // Kubernetes' JSON decoder made integral numbers int64; only those nested survive as such.
      if (!top_level && d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        out += std::to_string(static_cast<long long>(d));
      } else {
        out += go_format_float(d);
      }
      return;
    }
    case json::Type::String:
      out += value.as_string();
      return;
    case json::Type::Array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.as_array()) {
        if (!first) out += ' ';
        first = false;
        append_sprint(out, element, false);
      }
      out += ']';
      return;
    }
    case json::Type::Object: {
      std::vector<const json::Member*> members;
      for (const auto& member : value.as_object()) members.push_back(&member);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
      out += "map[";
      bool first = true;
      for (const auto* member : members) {
        if (!first) out += ' ';
        first = false;
        out += member->first;
        out += ':';
        append_sprint(out, member->second, false);
      }
      out += ']';
      return;
    }
  }
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_go_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Whether `s` (sign removed) is a Go float literal: digits [. digits] [e [sign] digits] with at least one
// mantissa digit, or 0x hexdigits [. hexdigits] p [sign] digits. Underscores are not accepted.
bool is_float_syntax(std::string_view s, bool& hex) {
  hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  std::size_t i = hex ? 2 : 0;
  auto digit = hex ? is_hex_digit : is_go_digit;
  std::size_t mantissa_digits = 0;
  while (i < s.size() && digit(s[i])) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && digit(s[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  const char exponent_mark = hex ? 'p' : 'e';
  if (i < s.size() && std::tolower(static_cast<unsigned char>(s[i])) == exponent_mark) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exponent_digits = 0;
    while (i < s.size() && is_go_digit(s[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  } else if (hex) {
    return false;  // Go requires the p exponent of a hexadecimal float
  }
  return i == s.size();
}

}  // namespace

std::string go_sprint(const json::Value& value) {
  std::string out;
  append_sprint(out, value, true);
  return out;
}

std::string go_sprint_element(const json::Value& value) {
  std::string out;
  append_sprint(out, value, false);
  return out;
}

std::string go_format_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // Shortest round-trip digits in scientific form, then Go's choice between %e and %f.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const bool negative = sci[0] == '-';
  const std::string_view body = sci.substr(negative ? 1 : 0);
  const auto e = body.find('e');
  std::string digits;
  for (char c : body.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::string_view exponent_text = body.substr(e + 1);
  if (exponent_text[0] == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);

  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return out;
  }
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0.";
    out += std::string(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    out += digits;
    out += std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

std::optional<double> parse_go_float(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (equal_ignoring_case(s, "inf") || equal_ignoring_case(s, "infinity")) {
    return negative ? -HUGE_VAL : HUGE_VAL;
  }
  if (equal_ignoring_case(s, "nan") && s.size() == text.size()) return std::nan("");
  bool hex = false;
  if (!is_float_syntax(s, hex)) return std::nullopt;
  double value = 0;
  const std::string_view digits = hex ? s.substr(2) : s;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                         hex ? std::chars_format::hex : std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error in Go; underflow quietly gives zero. Tell them apart by where the first
    // non-zero digit sits, shifted by the exponent.
    const std::size_t mark = digits.find_first_of(hex ? "pP" : "eE");
    const std::string_view mantissa = digits.substr(0, mark);
    const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
    const std::size_t first = mantissa.find_first_not_of("0.");
    long long lead = first < point ? static_cast<long long>(point - first) : -static_cast<long long>(first - point - 1);
    long long exponent = 0;
    if (mark != std::string_view::npos) {
      std::string_view e = digits.substr(mark + 1);
      if (e[0] == '+') e.remove_prefix(1);
      if (std::from_chars(e.data(), e.data() + e.size(), exponent).ec != std::errc()) {
        exponent = e[0] == '-' ? -1000000 : 1000000;
      }
    }
    if (lead * (hex ? 4 : 1) + exponent > 0) return std::nullopt;
    return negative ? -0.0 : 0.0;
  }
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return negative ? -value : value;
}

std::optional<std::vector<std::string>> parse_json_string_list(std::string_view text) {
  auto parsed = json::parse(text);
  if (!parsed) return std::nullopt;
  std::vector<std::string> out;
  if (parsed->is_null()) return out;
  if (!parsed->is_array()) return std::nullopt;
  for (const auto& element : parsed->as_array()) {
    if (!element.is_string()) return std::nullopt;
    out.push_back(element.as_string());
  }
  return out;
}

bool is_valid_json(std::string_view text) { return json::parse(text).ok(); }

}  // namespace signet::policy
