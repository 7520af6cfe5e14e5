// Content addressing: the digest of bytes fetched from a registry, and the check that it is the digest
// they were asked for (sha256, sha384 or sha512, as references allow).
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::oci {

// "sha256:<64 lowercase hex>" of `content`.
std::string sha256_digest_of(std::string_view content);

// Succeeds when `content` hashes to `expected` ("<algorithm>:<hex>"); otherwise an Invalid error that
// gives both digests. An unsupported or malformed `expected` is Invalid too.
Result<void> check_content_digest(std::string_view content, std::string_view expected);

}  // namespace signet::oci
