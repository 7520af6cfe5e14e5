#include "policy/conditions/quantity.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace signet::policy {

namespace {

bool is_quantity_digit(char c) { return c >= '0' && c <= '9'; }

struct Parts {
  bool positive = true;
  std::string_view value;  // sign, digits and point as written (may have no digit at all)
  std::string_view num;    // integer digits without leading zeros, "0" when none
  std::string_view denom;  // fraction digits
  std::string_view suffix;
};

// The lexical split of parseQuantityString: [sign] digits [. digits] then a suffix made of
// "eEinumkKMGTP" letters, an optional sign and digits.
std::optional<Parts> split(std::string_view s) {
  Parts parts;
  std::size_t pos = 0;
  const std::size_t end = s.size();
  if (pos < end && (s[0] == '-' || s[0] == '+')) {
    parts.positive = s[0] == '+';
    ++pos;
  }
  while (pos < end && s[pos] == '0') ++pos;
  if (pos >= end) {
    parts.num = "0";
    parts.value = "0";
    return parts;
  }
  std::size_t i = pos;
  while (i < end && is_quantity_digit(s[i])) ++i;
  parts.num = s.substr(pos, i - pos);
  pos = i;
  if (parts.num.empty()) parts.num = "0";
  if (pos >= end) {
    parts.value = s;
    return parts;
  }
  if (s[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && is_quantity_digit(s[i])) ++i;
    parts.denom = s.substr(pos, i - pos);
    pos = i;
    if (pos >= end) {
      parts.value = s;
      return parts;
    }
  }
  parts.value = s.substr(0, pos);
  const std::size_t suffix_start = pos;
  static constexpr std::string_view kSuffixLetters = "eEinumkKMGTP";
  while (pos < end && kSuffixLetters.find(s[pos]) != std::string_view::npos) ++pos;
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) ++pos;
  while (pos < end && is_quantity_digit(s[pos])) ++pos;
  if (pos < end) return std::nullopt;  // something after the exponent digits
  parts.suffix = s.substr(suffix_start);
  return parts;
}

enum class Format { DecimalExponent, BinarySI, DecimalSI };

struct Suffix {
  int base;  // 10 or 2
  std::int32_t exponent;
  Format format;
};

std::optional<Suffix> interpret(std::string_view suffix) {
  static constexpr std::pair<std::string_view, int> kDecimal[] = {
      {"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6}, {"G", 9}, {"T", 12}, {"P", 15}, {"E", 18}};
  static constexpr std::pair<std::string_view, int> kBinary[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                                 {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [name, exponent] : kDecimal) {
    if (suffix == name) return Suffix{10, exponent, Format::DecimalSI};
  }
  for (const auto& [name, exponent] : kBinary) {
    if (suffix == name) return Suffix{2, exponent, Format::BinarySI};
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view digits = suffix.substr(1);
    if (digits[0] == '+') digits.remove_prefix(1);  // strconv.ParseInt takes a plus sign, from_chars does not
    if (digits.empty()) return std::nullopt;
    std::int64_t parsed = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
    // Go keeps the low 32 bits.
    return Suffix{10, static_cast<std::int32_t>(static_cast<std::uint32_t>(parsed)), Format::DecimalExponent};
  }
  return std::nullopt;
}

// Whether ParseQuantity takes its int64 fast path; the slow path (inf.Dec) refuses a number part
// without a digit, so "e-10" or "Pi" fail while "n" or "Ki" are zero.
bool takes_fast_path(const Parts& parts, const Suffix& suffix) {
  const auto num_len = static_cast<std::int32_t>(parts.num.size());
  const auto denom_len = static_cast<std::int32_t>(parts.denom.size());
  if (suffix.format == Format::BinarySI) {
    if (suffix.exponent < 0 || denom_len != 0) return false;
    const std::int32_t precision =
        15 - num_len - static_cast<std::int32_t>(static_cast<float>(suffix.exponent) * 3 / 10) - 1;
    if (precision < 0) return false;
    // value << exponent must not overflow int64.
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(parts.num.data(), parts.num.data() + parts.num.size(), value);
    if (ec != std::errc()) return false;
    return value == 0 || value <= (INT64_MAX >> suffix.exponent);
  }
  const std::int32_t precision = 18 - (num_len + denom_len);
  if (precision < 0) return false;
  return static_cast<std::int64_t>(suffix.exponent) - denom_len >= -9;
}

void strip_leading_zeros(std::string& digits) {
  const auto first = digits.find_first_not_of('0');
  digits.erase(0, first == std::string::npos ? digits.size() : first);
}

// digits *= 2^bits, on decimal digit strings.
void multiply_by_power_of_two(std::string& digits, int bits) {
  while (bits > 0) {
    const int step = std::min(bits, 30);
    bits -= step;
    const std::uint64_t factor = std::uint64_t{1} << step;
    std::uint64_t carry = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
      const std::uint64_t product = static_cast<std::uint64_t>(*it - '0') * factor + carry;
      *it = static_cast<char>('0' + product % 10);
      carry = product / 10;
    }
    while (carry > 0) {
      digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
      carry /= 10;
    }
  }
}

void increment(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return Quantity{};
  const auto parts = split(text);
  if (!parts) return std::nullopt;
  const auto suffix = interpret(parts->suffix);
  if (!suffix) return std::nullopt;
  if (!takes_fast_path(*parts, *suffix) &&
      std::none_of(parts->value.begin(), parts->value.end(), [](char c) { return is_quantity_digit(c); })) {
    return std::nullopt;
  }

  std::string digits = std::string(parts->num) + std::string(parts->denom);
  std::int64_t exponent = -static_cast<std::int64_t>(parts->denom.size());
  if (suffix->base == 10) {
    exponent += suffix->exponent;
  } else {
    multiply_by_power_of_two(digits, suffix->exponent);
  }
  strip_leading_zeros(digits);

  // Round the magnitude up to a multiple of 1n.
  if (exponent < -9 && !digits.empty()) {
    const auto drop = static_cast<std::uint64_t>(-9 - exponent);
    if (drop >= digits.size()) {
      digits = "1";  // a non-zero amount below 1n becomes 1n
    } else {
      const std::string_view tail = std::string_view(digits).substr(digits.size() - drop);
      const bool inexact = tail.find_first_not_of('0') != std::string_view::npos;
      digits.resize(digits.size() - drop);  // keeps the non-zero leading digit
      if (inexact) increment(digits);
    }
    exponent = -9;
  }

  Quantity q;
  if (digits.empty()) return q;
  const auto last = digits.find_last_not_of('0');
  exponent += static_cast<std::int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  q.sign_ = 1;
  q.digits_ = std::move(digits);
  q.exponent_ = exponent;
  // Binary quantities are capped at the largest int64, on the magnitude.
  if (suffix->format == Format::BinarySI) {
    Quantity max;
    max.sign_ = 1;
    max.digits_ = "9223372036854775807";
    if (q.compare(max) > 0) q = max;
  }
  if (!parts->positive) q.sign_ = -1;
  return q;
}

int Quantity::compare(const Quantity& other) const {
  if (sign_ != other.sign_) return sign_ < other.sign_ ? -1 : 1;
  if (sign_ == 0) return 0;
  // Compare magnitudes: first the position of the leading digit, then the digits.
  int magnitude_order = 0;
  const std::int64_t lead = static_cast<std::int64_t>(digits_.size()) + exponent_;
  const std::int64_t other_lead = static_cast<std::int64_t>(other.digits_.size()) + other.exponent_;
  if (lead != other_lead) {
    magnitude_order = lead < other_lead ? -1 : 1;
  } else {
    const int c = digits_.compare(other.digits_);  // same leading position, no trailing zeros
    magnitude_order = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sign_ * magnitude_order;
}

}  // namespace signet::policy
