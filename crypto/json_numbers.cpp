#include "crypto/json_numbers.hpp"

#include <string>

namespace signet::crypto {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Far beyond any exponent the limit compares with, and far from overflowing.
constexpr long kExponentCap = 1'000'000;
// RapidJSON's table ends at 10^-348 and its reader looks up to 18 digits below the first significant one.
constexpr long kSmallestExponent = -300;

}  // namespace

Result<void> check_json_numbers(std::string_view json) {
  std::size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (c != '-' && !is_digit(c)) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (c == '-') ++i;
    long integer_digits = 0, leading_zeros = 0, digits = 0;
    bool significant = false;
    auto take_digits = [&](bool integer_part) {
      for (; i < json.size() && is_digit(json[i]); ++i) {
        ++digits;
        if (integer_part) ++integer_digits;
        if (json[i] != '0') significant = true;
        if (!significant) ++leading_zeros;
      }
    };
    take_digits(true);
    if (i < json.size() && json[i] == '.') {
      ++i;
      take_digits(false);
    }
    long exponent = 0;
    if (i < json.size() && (json[i] == 'e' || json[i] == 'E')) {
      ++i;
      bool negative = false;
      if (i < json.size() && (json[i] == '+' || json[i] == '-')) negative = json[i++] == '-';
      for (; i < json.size() && is_digit(json[i]); ++i) {
        if (exponent < kExponentCap) exponent = exponent * 10 + (json[i] - '0');
      }
      if (negative) exponent = -exponent;
    }
    // The decimal exponent of the first significant digit; a zero counts from its last digit.
    if (!significant && digits > 0) leading_zeros = digits - 1;
    const long first_digit = integer_digits - leading_zeros - 1 + exponent;
    if (digits > 0 && first_digit < kSmallestExponent) {
      return Error::invalid("the number at offset " + std::to_string(start) +
                            " is below 1e-300, which signet's JSON reader cannot read safely");
    }
  }
  return success();
}

}  // namespace signet::crypto
