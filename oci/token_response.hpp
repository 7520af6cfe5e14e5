// The answer of a registry token server (docker's token spec, GET, and its OAuth2 form, POST): the token and
// how long it lives. The body comes from the network, so the parser refuses anything it cannot trust.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::oci {

struct TokenGrant {
  std::string token;              // goes into "Authorization: Bearer …"
  std::chrono::seconds lifetime;  // `expires_in`, 60 s when absent (the spec's default)
  // `issued_at` (RFC 3339) when present and readable: the lifetime counts from then, not from receipt.
  std::optional<std::chrono::system_clock::time_point> issued_at;
};

// Reads `token` (or, when absent, `access_token`), `expires_in` and `issued_at` from a token server's JSON
// body. A body that is not a JSON object, or whose token is empty, longer than 64 KiB or holds anything but
// printable ASCII without spaces (it goes into a header: no CR/LF), is an Invalid error; an `expires_in`
// that is not a positive number is one too. Lifetimes are capped at a day.
Result<TokenGrant> parse_token_response(std::string_view body);

// Whether `token` may go into an Authorization header: 1 to 64 KiB of printable ASCII, no spaces.
bool is_usable_token(std::string_view token);

// The time left of `grant` at `now`: its lifetime counted from `issued_at` when given (never more than the
// lifetime, so a token server clock ahead of ours cannot stretch it; zero once past).
std::chrono::seconds remaining_lifetime(const TokenGrant& grant, std::chrono::system_clock::time_point now);

// "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456+02:00" (RFC 3339) between the years 1970 and 2200;
// nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace signet::oci
