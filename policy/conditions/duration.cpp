#include "policy/conditions/duration.hpp"

#include <cmath>
#include <string>

namespace signet::policy {

namespace {

constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;

std::optional<std::uint64_t> unit_nanoseconds(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;  // u, micro sign, Greek mu
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000;
  if (unit == "m") return 60000000000ULL;
  if (unit == "h") return 3600000000000ULL;
  return std::nullopt;
}

bool is_duration_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::int64_t> parse_go_duration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_duration_digit(s[0]))) return std::nullopt;
    // Integer part; overflow is an error.
    std::uint64_t whole = 0;
    std::size_t i = 0;
    for (; i < s.size() && is_duration_digit(s[i]); ++i) {
      if (whole > kLimit / 10) return std::nullopt;
      whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (whole > kLimit) return std::nullopt;
    }
    const bool before_point = i > 0;
    s.remove_prefix(i);
    // Fraction: digits past uint64 precision are read but ignored, as Go does.
    std::uint64_t fraction = 0;
    double scale = 1;
    bool after_point = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      std::size_t j = 0;
      for (; j < s.size() && is_duration_digit(s[j]); ++j) {
        if (overflow) continue;
        if (fraction > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        const std::uint64_t next = fraction * 10 + static_cast<std::uint64_t>(s[j] - '0');
        if (next > kLimit) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      after_point = j > 0;
      s.remove_prefix(j);
    }
    if (!before_point && !after_point) return std::nullopt;
    std::size_t u = 0;
    while (u < s.size() && !(s[u] == '.' || is_duration_digit(s[u]))) ++u;
    if (u == 0) return std::nullopt;  // missing unit
    const auto unit = unit_nanoseconds(s.substr(0, u));
    if (!unit) return std::nullopt;
    s.remove_prefix(u);
    if (whole > kLimit / *unit) return std::nullopt;
    whole *= *unit;
    if (fraction > 0) {
      // Go goes through float64 here to stay exact to the nanosecond for fractions of hours.
      whole += static_cast<std::uint64_t>(static_cast<double>(fraction) * (static_cast<double>(*unit) / scale));
      if (whole > kLimit) return std::nullopt;
    }
    total += whole;
    if (total > kLimit) return std::nullopt;
  }
  if (negative) return static_cast<std::int64_t>(~total + 1);  // -(2^63) included
  if (total > kLimit - 1) return std::nullopt;
  return static_cast<std::int64_t>(total);
}

std::int64_t go_seconds_to_duration(double seconds) {
  // Go converts float64 to int64 by truncation; out of range (and NaN) gives the x86 "integer indefinite"
  // value, the minimum. The multiplication by a second then wraps around.
  std::int64_t whole = INT64_MIN;
  if (std::isfinite(seconds) && seconds > -9223372036854775808.0 && seconds < 9223372036854775808.0) {
    whole = static_cast<std::int64_t>(seconds);
  }
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(whole) * 1000000000ULL);
}

double go_duration_seconds(std::int64_t nanoseconds) {
  const std::int64_t whole = nanoseconds / 1000000000;
  const std::int64_t rest = nanoseconds % 1000000000;
  return static_cast<double>(whole) + static_cast<double>(rest) / 1e9;
}

}  // namespace signet::policy
