#include "server/log_redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>

namespace signet::server {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool starts_with_nocase(std::string_view text, std::size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != prefix[i]) return false;
  return true;
}

// Characters of a token or credential value written without quotes.
bool is_value_char(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && c != '"' && c != '\'' && c != '&' && c != ',' && c != ';' &&
         c != '}' && c != ')' && c != ']' && c != '>';
}

std::size_t value_end(std::string_view text, std::size_t from) {
  while (from < text.size() && is_value_char(text[from])) ++from;
  return from;
}

// The end of a quoted value starting after its opening `quote`, backslash escapes honoured.
std::size_t quoted_end(std::string_view text, std::size_t from, char quote) {
  while (from < text.size() && text[from] != quote) from += text[from] == '\\' ? 2 : 1;
  return std::min(from, text.size());
}

// `user:password@host`: the password goes. Delimiters split the text into words (a '/' ends userinfo);
// in a word, the last '@' ends the userinfo (a password may hold '@'), unless a digest follows it
// (`app:v1@sha256:…` names an image, not a user).
std::string redact_userinfo(std::string_view text) {
  constexpr std::string_view kDelimiters = " \t\r\n\"'/([<>,=;`";
  constexpr std::array<std::string_view, 3> kDigestAlgorithms = {"sha256:", "sha384:", "sha512:"};
  std::string out;
  std::size_t copied = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find_first_of(kDelimiters, start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    const std::size_t at = word.rfind('@');
    bool digest = false;
    if (at != std::string_view::npos)
      for (auto algorithm : kDigestAlgorithms) digest = digest || starts_with_nocase(word, at + 1, algorithm);
    const std::size_t colon = at == std::string_view::npos ? at : word.substr(0, at).find(':');
    if (!digest && colon != std::string_view::npos && colon + 1 < at &&
        word.substr(colon + 1, at - colon - 1) != kRedacted) {
      out.append(text.substr(copied, start + colon + 1 - copied)).append(kRedacted);
      copied = start + at;
    }
    start = end + 1;
  }
  return out.append(text.substr(std::min(copied, text.size())));
}

enum class Separator { EqualsOnly, EqualsOrColon };
struct SecretKey {
  std::string_view name;
  bool quoted_only;  // only as a JSON key, "auth": a bare `auth` is too common a word
  Separator separator;
};
// `key: value` is taken only from JSON keys and Authorization headers; in prose "token: …" introduces an
// error, not a token.
constexpr std::array<SecretKey, 12> kSecretKeys = {{
    {"authorization", false, Separator::EqualsOrColon},
    {"access_token", false, Separator::EqualsOnly},
    {"refresh_token", false, Separator::EqualsOnly},
    {"id_token", false, Separator::EqualsOnly},
    {"identitytoken", false, Separator::EqualsOnly},
    {"registrytoken", false, Separator::EqualsOnly},
    {"client_secret", false, Separator::EqualsOnly},
    {"password", false, Separator::EqualsOnly},
    {"passwd", false, Separator::EqualsOnly},
    {"secret", false, Separator::EqualsOnly},
    {"token", false, Separator::EqualsOnly},
    {"auth", true, Separator::EqualsOnly},
}};

bool is_auth_scheme(std::string_view text, std::size_t at) {
  for (std::string_view scheme : {"bearer", "basic", "token", "digest", "negotiate"})
    if (starts_with_nocase(text, at, scheme) && at + scheme.size() < text.size() && text[at + scheme.size()] == ' ')
      return true;
  return false;
}

// The span [begin, end) of the secret value after a key ending at `after_key`, if there is one.
std::optional<std::pair<std::size_t, std::size_t>> secret_value(std::string_view text, std::size_t after_key,
                                                                const SecretKey& key, bool quoted_key) {
  std::size_t i = after_key;
  if (quoted_key) {
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    ++i;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size()) return std::nullopt;
  const bool colon_allowed = quoted_key || key.separator == Separator::EqualsOrColon;
  if (text[i] != '=' && !(text[i] == ':' && colon_allowed)) return std::nullopt;
  ++i;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
    const char quote = text[i];
    std::size_t begin = i + 1;
    // A quoted Authorization value keeps its scheme word.
    if (key.name == "authorization" && is_auth_scheme(text, begin)) begin = text.find(' ', begin) + 1;
    return std::pair{begin, quoted_end(text, begin, quote)};
  }
  if (key.name == "authorization" && is_auth_scheme(text, i)) {
    i = text.find(' ', i);
    while (i < text.size() && text[i] == ' ') ++i;
  }
  return std::pair{i, value_end(text, i)};
}

std::string redact_keyed_values(std::string_view text) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (at < copied || (at > 0 && is_word_char(text[at - 1]))) continue;
    const bool quoted_key = at > 0 && text[at - 1] == '"';
    for (const SecretKey& key : kSecretKeys) {
      if (!starts_with_nocase(text, at, key.name)) continue;
      const std::size_t after = at + key.name.size();
      if (after < text.size() && is_word_char(text[after])) continue;
      if (key.quoted_only && !quoted_key) continue;
      auto value = secret_value(text, after, key, quoted_key);
      if (!value || value->first >= value->second) break;
      if (text.substr(value->first, value->second - value->first) != kRedacted)
        out.append(text.substr(copied, value->first - copied)).append(kRedacted);
      else
        out.append(text.substr(copied, value->second - copied));
      copied = value->second;
      break;
    }
  }
  return out.append(text.substr(copied));
}

// "Bearer eyJ…" or "Basic dXNlcjpwYXNz" outside a header: the token goes. A challenge's parameters
// (`Bearer realm="…"`) and short words are left alone.
std::string redact_bare_tokens(std::string_view text) {
  constexpr std::size_t kShortestToken = 8;
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (at < copied || (at > 0 && is_word_char(text[at - 1]))) continue;
    std::size_t scheme_end = 0;
    if (starts_with_nocase(text, at, "bearer "))
      scheme_end = at + 7;
    else if (starts_with_nocase(text, at, "basic "))
      scheme_end = at + 6;
    else
      continue;
    std::size_t begin = scheme_end;
    while (begin < text.size() && text[begin] == ' ') ++begin;
    const std::size_t end = value_end(text, begin);
    const bool parameter = end < text.size() && text[end] == '"';
    const std::string_view token = text.substr(begin, end - begin);
    if (parameter || token.size() < kShortestToken || token == kRedacted) continue;
    out.append(text.substr(copied, begin - copied)).append(kRedacted);
    copied = end;
  }
  return out.append(text.substr(copied));
}

}  // namespace

std::string redact_secrets(std::string_view text) {
  return redact_bare_tokens(redact_keyed_values(redact_userinfo(text)));
}

}  // namespace signet::server
