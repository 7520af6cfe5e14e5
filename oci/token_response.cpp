#include "oci/token_response.hpp"

#include <algorithm>
#include <cmath>

#include <rapidjson/document.h>

namespace signet::oci {
namespace {

constexpr std::size_t kMaxToken = 64 * 1024;
constexpr std::chrono::seconds kDefaultLifetime{60};  // the token spec's default for expires_in
constexpr std::chrono::seconds kMaxLifetime{24 * 3600};

// Digits at text[pos, pos+n) as a number; false when any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

bool is_usable_token(std::string_view token) {
  return !token.empty() && token.size() <= kMaxToken &&
         std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || text.size() > 64 || !read_digits(text, 0, 4, year) || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !read_digits(text, 11, 2, hour) || text[13] != ':' ||
      !read_digits(text, 14, 2, minute) || text[16] != ':' || !read_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t digits = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits) return std::nullopt;  // fractions are ignored: tokens live for seconds
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  // system_clock counts nanoseconds in 64 bits: years far from 1970 would overflow it.
  if (!date.ok() || year < 1970 || year > 2200 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute - offset_minutes) +
         std::chrono::seconds(second);
}

Result<TokenGrant> parse_token_response(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return Error::invalid("the token response is not a JSON object");
  TokenGrant grant{{}, kDefaultLifetime, std::nullopt};
  // docker's spec names it `token`; OAuth2 servers send `access_token`; when both come, `token` wins.
  for (const char* name : {"token", "access_token"}) {
    const auto it = doc.FindMember(name);
    if (it != doc.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0) {
      grant.token.assign(it->value.GetString(), it->value.GetStringLength());
      break;
    }
  }
  if (grant.token.empty()) return Error::invalid("the token response holds no token");
  if (!is_usable_token(grant.token))
    return Error::invalid("the token response's token is not printable ASCII of at most 64 KiB");
  if (const auto it = doc.FindMember("expires_in"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsNumber()) return Error::invalid("the token response's expires_in is not a number");
    const double seconds = it->value.GetDouble();
    if (!std::isfinite(seconds) || seconds < 1)
      return Error::invalid("the token response's expires_in is not a positive number of seconds");
    grant.lifetime = std::chrono::seconds(static_cast<long long>(std::min(seconds, double(kMaxLifetime.count()))));
  }
  if (const auto it = doc.FindMember("issued_at"); it != doc.MemberEnd() && it->value.IsString()) {
    // An unreadable issued_at is ignored, as the spec allows omitting it: the lifetime then counts from now.
    grant.issued_at = parse_rfc3339(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  }
  return grant;
}

std::chrono::seconds remaining_lifetime(const TokenGrant& grant, std::chrono::system_clock::time_point now) {
  if (!grant.issued_at) return grant.lifetime;
  const auto expires = *grant.issued_at + grant.lifetime;
  if (expires <= now) return std::chrono::seconds(0);
  return std::min(grant.lifetime, std::chrono::duration_cast<std::chrono::seconds>(expires - now));
}

}  // namespace signet::oci
