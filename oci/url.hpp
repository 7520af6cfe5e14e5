// The few URLs a registry client meets: its own API base, token realms and redirect locations.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::oci {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // as written, IPv6 in brackets: "127.0.0.1", "[::1]", "auth.docker.io"
  std::string port;    // "" for the scheme's default
  std::string target;  // path and query, at least "/"

  // host[:port], what a registry is named by (and insecure_registries lists).
  std::string authority() const;
  // The host to resolve and to verify the certificate against: no brackets.
  std::string bare_host() const;
  // The port to connect to: `port`, or 80 / 443.
  std::string effective_port() const;
  std::string str() const;
};

// An absolute http:// or https:// URL. No user info, no fragment kept.
Result<Url> parse_url(std::string_view text);

// A redirect's Location, absolute or relative to `base` ("/path", "//host/path", "path").
Result<Url> resolve_url(const Url& base, std::string_view location);

// `text` with A-Z lowered: hosts, schemes and header names compare without case.
std::string ascii_lower(std::string_view text);

// Percent-encoding for a query component (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

}  // namespace signet::oci
