#include "policy/jmespath/go_time.hpp"

#include <array>
#include <chrono>
#include <ctime>
#include <limits>
#include <optional>

namespace signet::policy::jmespath {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil civil_from_seconds(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2),
          m,
          d,
          static_cast<unsigned>(rest / 3600),
          static_cast<unsigned>(rest / 60 % 60),
          static_cast<unsigned>(rest % 60)};
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

Error bad_time(std::string_view text, std::string_view layout, std::string_view why) {
  return Error::invalid("invalid-value: cannot parse \"" + std::string(text) + "\" as \"" + std::string(layout) +
                        "\": " + std::string(why));
}

// Reads exactly `n` digits (n > 0) or, with n == 0, one or more.
std::optional<std::int64_t> digits(std::string_view& text, std::size_t n, std::size_t max = 0) {
  std::size_t count = 0;
  std::int64_t value = 0;
  while (count < text.size() && text[count] >= '0' && text[count] <= '9' && (max == 0 || count < max) &&
         (n == 0 || count < n)) {
    value = value * 10 + (text[count] - '0');
    ++count;
  }
  if (count == 0 || (n != 0 && count != n)) return std::nullopt;
  text.remove_prefix(count);
  return value;
}

constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",   "May",      "June",
                                                 "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

std::optional<unsigned> name_prefix(std::string_view& text, bool full, const char* const* names, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view name = names[i];
    if (!full) name = name.substr(0, 3);
    if (text.size() >= name.size()) {
      bool same = true;
      for (std::size_t k = 0; k < name.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(text[k])) != std::tolower(static_cast<unsigned char>(name[k])))
          same = false;
      }
      if (same) {
        text.remove_prefix(name.size());
        return static_cast<unsigned>(i);
      }
    }
  }
  return std::nullopt;
}

// Fractional seconds: '.' or ',' then digits; nanoseconds.
std::optional<std::int32_t> fraction(std::string_view& text) {
  if (text.empty() || (text[0] != '.' && text[0] != ',') || text.size() < 2 || text[1] < '0' || text[1] > '9')
    return std::nullopt;
  text.remove_prefix(1);
  std::int32_t nanos = 0;
  std::size_t count = 0;
  while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    if (count < 9) nanos = nanos * 10 + (text[0] - '0');
    ++count;
    text.remove_prefix(1);
  }
  for (; count < 9; ++count) nanos *= 10;
  return nanos;
}

}  // namespace

Result<GoTime> parse_go_layout(std::string_view layout, std::string_view input) {
  const std::string_view original_layout = layout;
  std::string_view text = input;
  std::int64_t year = 1;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int32_t nanos = 0, offset = 0;
  int pm = -1;  // -1: no AM/PM; 0 AM; 1 PM
  auto fail = [&](std::string_view why) { return bad_time(input, original_layout, why); };
  auto starts = [&](std::string_view token) { return layout.substr(0, token.size()) == token; };
  while (!layout.empty()) {
    std::optional<std::int64_t> n;
    if (starts("2006")) {
      layout.remove_prefix(4);
      if (!(n = digits(text, 4))) return fail("bad year");
      year = *n;
    } else if (starts("January") || starts("Jan")) {
      const bool full = starts("January");
      layout.remove_prefix(full ? 7 : 3);
      auto m = name_prefix(text, full, kMonths.data(), kMonths.size());
      if (!m) return fail("bad month");
      month = *m + 1;
    } else if (starts("Monday") || starts("Mon")) {
      const bool full = starts("Monday");
      layout.remove_prefix(full ? 6 : 3);
      if (!name_prefix(text, full, kDays.data(), kDays.size())) return fail("bad day of the week");
    } else if (starts("MST")) {
      layout.remove_prefix(3);
      std::size_t letters = 0;
      while (letters < text.size() && std::isupper(static_cast<unsigned char>(text[letters]))) ++letters;
      if (letters < 3) return fail("bad time zone");
      if (text.substr(0, letters) != "UTC" && text.substr(0, letters) != "GMT") {
        // Go gives an unknown abbreviation a zero offset too.
      }
      text.remove_prefix(letters);
    } else if (starts("15")) {
      layout.remove_prefix(2);
      if (!(n = digits(text, 0, 2)) || *n > 23) return fail("hour out of range");
      hour = static_cast<unsigned>(*n);
    } else if (starts("01") || starts("1")) {
      layout.remove_prefix(starts("01") ? 2 : 1);
      if (!(n = digits(text, 0, 2)) || *n < 1 || *n > 12) return fail("month out of range");
      month = static_cast<unsigned>(*n);
    } else if (starts("02") || starts("_2") || starts("2")) {
      const bool wide = starts("02") || starts("_2");
      if (starts("_2") && !text.empty() && text[0] == ' ') text.remove_prefix(1);
      layout.remove_prefix(wide ? 2 : 1);
      if (!(n = digits(text, 0, 2)) || *n < 1 || *n > 31) return fail("day out of range");
      day = static_cast<unsigned>(*n);
    } else if (starts("06")) {
      layout.remove_prefix(2);
      if (!(n = digits(text, 2))) return fail("bad year");
      year = *n >= 69 ? 1900 + *n : 2000 + *n;
    } else if (starts("03") || starts("3")) {
      layout.remove_prefix(starts("03") ? 2 : 1);
      if (!(n = digits(text, 0, 2)) || *n > 12) return fail("hour out of range");
      hour = static_cast<unsigned>(*n);
    } else if (starts("04") || starts("4")) {
      layout.remove_prefix(starts("04") ? 2 : 1);
      if (!(n = digits(text, 0, 2)) || *n > 59) return fail("minute out of range");
      minute = static_cast<unsigned>(*n);
    } else if (starts("05") || starts("5")) {
      layout.remove_prefix(starts("05") ? 2 : 1);
      if (!(n = digits(text, 0, 2)) || *n > 59) return fail("second out of range");
      second = static_cast<unsigned>(*n);
      // Go accepts fractional seconds after the seconds even when the layout has none.
      if (!(layout.starts_with(".0") || layout.starts_with(".9") || layout.starts_with(",0") ||
            layout.starts_with(",9"))) {
        if (auto f = fraction(text)) nanos = *f;
      }
    } else if ((starts(".0") || starts(".9") || starts(",0") || starts(",9"))) {
      std::size_t width = 1;
      while (width < layout.size() && layout[width] == layout[1]) ++width;
      layout.remove_prefix(width);
      auto f = fraction(text);
      if (!f) {
        if (layout.data()[-1] == '9') continue;  // .999: optional
        return fail("bad fractional second");
      }
      nanos = *f;
    } else if (starts("PM") || starts("pm")) {
      layout.remove_prefix(2);
      if (text.size() < 2) return fail("bad AM/PM");
      const std::string_view marker = text.substr(0, 2);
      if (marker == "PM" || marker == "pm") {
        pm = 1;
      } else if (marker == "AM" || marker == "am") {
        pm = 0;
      } else {
        return fail("bad AM/PM");
      }
      text.remove_prefix(2);
    } else if (starts("Z07:00") || starts("-07:00") || starts("Z0700") || starts("-0700") || starts("Z07") ||
               starts("-07")) {
      const bool z = layout[0] == 'Z';
      const bool colon = starts("Z07:00") || starts("-07:00");
      const std::size_t width = colon ? 6 : (starts("Z0700") || starts("-0700")) ? 5 : 3;
      const bool minutes = width > 3;
      layout.remove_prefix(width);
      if (z && !text.empty() && text[0] == 'Z') {
        text.remove_prefix(1);
        offset = 0;
        continue;
      }
      if (text.empty() || (text[0] != '+' && text[0] != '-')) return fail("bad time zone offset");
      const int sign = text[0] == '-' ? -1 : 1;
      text.remove_prefix(1);
      auto h = digits(text, 2);
      std::optional<std::int64_t> m = 0;
      if (minutes) {
        if (colon) {
          if (text.empty() || text[0] != ':') return fail("bad time zone offset");
          text.remove_prefix(1);
        }
        m = digits(text, 2);
      }
      if (!h || !m || *h > 23 || *m > 59) return fail("bad time zone offset");
      offset = static_cast<std::int32_t>(sign * (*h * 3600 + *m * 60));
    } else {
      if (text.empty() || text[0] != layout[0]) return fail("the text does not follow the layout");
      text.remove_prefix(1);
      layout.remove_prefix(1);
    }
  }
  if (!text.empty()) return fail("extra text \"" + std::string(text) + "\"");
  if (pm == 1 && hour < 12) hour += 12;
  if (pm == 0 && hour == 12) hour = 0;
  if (day > days_in_month(year, month)) return fail("day out of range");
  GoTime out;
  out.seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  out.nanos = nanos;
  out.offset = offset;
  return out;
}

Result<GoTime> parse_rfc3339(std::string_view text) { return parse_go_layout("2006-01-02T15:04:05Z07:00", text); }

std::string format_rfc3339(const GoTime& time) {
  const Civil c = civil_from_seconds(time.seconds + time.offset);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02u:%02u:%02u", static_cast<long long>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  std::string out = buffer;
  if (time.offset == 0) return out + "Z";
  const int magnitude = time.offset < 0 ? -time.offset : time.offset;
  std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", time.offset < 0 ? '-' : '+', magnitude / 3600,
                magnitude / 60 % 60);
  return out + buffer;
}

GoTime time_now(bool utc) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  GoTime out;
  out.seconds = nanos / kSecond;
  out.nanos = static_cast<std::int32_t>(nanos % kSecond);
  if (!utc) {
    const std::time_t seconds = static_cast<std::time_t>(out.seconds);
    std::tm local{};
    if (localtime_r(&seconds, &local) != nullptr) out.offset = static_cast<std::int32_t>(local.tm_gmtoff);
  }
  return out;
}

Result<std::int64_t> parse_go_duration(std::string_view text) {
  const std::string original(text);
  auto fail = [&](std::string_view why) {
    return Error::invalid("invalid-value: time: " + std::string(why) + " duration \"" + original + "\"");
  };
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::int64_t{0};
  if (text.empty()) return fail("invalid");
  __int128 total = 0;
  while (!text.empty()) {
    __int128 whole = 0;
    std::size_t whole_digits = 0;
    while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
      whole = whole * 10 + (text[0] - '0');
      if (whole > (__int128{1} << 64)) return fail("invalid");
      ++whole_digits;
      text.remove_prefix(1);
    }
    __int128 frac = 0, scale = 1;
    std::size_t frac_digits = 0;
    if (!text.empty() && text[0] == '.') {
      text.remove_prefix(1);
      while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
        if (scale < 1'000'000'000'000'000'000) {
          frac = frac * 10 + (text[0] - '0');
          scale *= 10;
        }
        ++frac_digits;
        text.remove_prefix(1);
      }
    }
    if (whole_digits == 0 && frac_digits == 0) return fail("invalid");
    std::size_t unit_length = 0;
    while (unit_length < text.size() && text[unit_length] != '.' &&
           (text[unit_length] < '0' || text[unit_length] > '9'))
      ++unit_length;
    const std::string_view unit = text.substr(0, unit_length);
    text.remove_prefix(unit_length);
    std::int64_t nanos_per_unit = 0;
    if (unit == "ns") {
      nanos_per_unit = 1;
    } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
      nanos_per_unit = 1'000;
    } else if (unit == "ms") {
      nanos_per_unit = 1'000'000;
    } else if (unit == "s") {
      nanos_per_unit = kSecond;
    } else if (unit == "m") {
      nanos_per_unit = 60 * kSecond;
    } else if (unit == "h") {
      nanos_per_unit = 3600 * kSecond;
    } else if (unit.empty()) {
      return fail("missing unit in");
    } else {
      return Error::invalid("invalid-value: time: unknown unit \"" + std::string(unit) + "\" in duration \"" +
                            original + "\"");
    }
    total += whole * nanos_per_unit + frac * nanos_per_unit / scale;
    if (total > static_cast<__int128>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0))
      return fail("invalid");
  }
  return static_cast<std::int64_t>(negative ? -total : total);
}

std::string format_go_duration(std::int64_t nanos) {
  if (nanos == 0) return "0s";
  const bool negative = nanos < 0;
  unsigned long long u =
      negative ? 0ull - static_cast<unsigned long long>(nanos) : static_cast<unsigned long long>(nanos);
  // The fraction `value % divisor` as ".ddd" without trailing zeros.
  auto with_fraction = [](unsigned long long value, unsigned long long divisor, int width) {
    std::string out = std::to_string(value / divisor);
    unsigned long long rest = value % divisor;
    if (rest != 0) {
      std::string digits = std::to_string(rest);
      digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      out += "." + digits;
    }
    return out;
  };
  std::string out;
  if (u < 1'000) {
    out = std::to_string(u) + "ns";
  } else if (u < 1'000'000) {
    out = with_fraction(u, 1'000, 3) + "\u00b5s";
  } else if (u < 1'000'000'000) {
    out = with_fraction(u, 1'000'000, 6) + "ms";
  } else {
    const unsigned long long seconds = u / 1'000'000'000;
    const std::string secs = with_fraction(u % 60'000'000'000ull, 1'000'000'000, 9) + "s";
    const unsigned long long minutes = seconds / 60 % 60, hours = seconds / 3600;
    if (hours > 0) {
      out = std::to_string(hours) + "h" + std::to_string(minutes) + "m" + secs;
    } else if (seconds >= 60) {
      out = std::to_string(minutes) + "m" + secs;
    } else {
      out = secs;
    }
  }
  return negative ? "-" + out : out;
}

std::int64_t time_sub(const GoTime& a, const GoTime& b) {
  const __int128 d = (static_cast<__int128>(a.seconds) - b.seconds) * kSecond + (a.nanos - b.nanos);
  if (d > std::numeric_limits<std::int64_t>::max()) return std::numeric_limits<std::int64_t>::max();
  if (d < std::numeric_limits<std::int64_t>::min()) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

GoTime time_add(const GoTime& t, std::int64_t nanos) {
  GoTime out = t;
  std::int64_t total = t.nanos + nanos % kSecond;
  out.seconds += nanos / kSecond + total / kSecond;
  total %= kSecond;
  if (total < 0) {
    total += kSecond;
    --out.seconds;
  }
  out.nanos = static_cast<std::int32_t>(total);
  return out;
}

}  // namespace signet::policy::jmespath
