// WWW-Authenticate challenges (RFC 7235) as registries send them: `Basic realm="…"` or
// `Bearer realm="…",service="…",scope="…"`. The header comes from the network, so the parser bounds its
// work and refuses anything it cannot read rather than guessing.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace signet::oci {

struct AuthChallenge {
  std::string scheme;                         // lowercased: "basic", "bearer", …
  std::map<std::string, std::string> params;  // names lowercased, values unquoted
  std::string token68;                        // the rare `Scheme token68` form; usually empty

  // The value of parameter `name` (lowercase), or "" when absent.
  std::string param(const std::string& name) const;
};

// Parses one WWW-Authenticate header value, which may hold several comma-separated challenges.
// Malformed input (an unterminated quoted string, a parameter without a value, a repeated parameter,
// more than 16 challenges or 32 parameters, a header over 8 KiB) is an Invalid error.
Result<std::vector<AuthChallenge>> parse_auth_challenges(std::string_view header);

}  // namespace signet::oci
