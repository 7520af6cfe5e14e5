// What `signet verify-bundle` and `signet verify-signature` share: files read whole, the trusted root a
// flag names, and the attestors their flags stand for, so both run the admission path's checks.
#pragma once

#include <string>

#include "crypto/result.hpp"
#include "policy/model.hpp"
#include "server/cli/command_line.hpp"

namespace signet::server {

// The whole file; the error names it.
Result<std::string> read_whole_file(const std::string& path);

// --trusted-root FILE, when given, replaces the process's trusted root (the embedded public-good one).
Result<void> use_trusted_root_flag(const CommandLine& line);

// A keyless attestor that admits exactly this SAN and this OIDC issuer: Kyverno's wildcards would read
// `*` and `?` in them as patterns, so such values become anchored, quoted regular expressions.
policy::KeylessAttestor exact_identity(const std::string& identity, const std::string& issuer);

// The first SAN of a certificate and its issuer, "<san> (issuer <url>)", for the verdict line.
std::string describe_signer(const crypto::Certificate& certificate);

}  // namespace signet::server
