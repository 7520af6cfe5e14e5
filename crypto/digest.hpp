// Content digests in the OCI form "<algorithm>:<hex>", and checking content against them.
#pragma once

#include <string>
#include <string_view>

#include "crypto/openssl_handles.hpp"
#include "crypto/result.hpp"

namespace signet::crypto {

std::string sha256_bytes(std::string_view content);  // the raw 32 bytes
std::string sha256_hex(std::string_view content);
std::string sha256_digest(std::string_view content);  // "sha256:<64 hex>"

// The OCI image-spec digest grammar; the registered algorithms must also have their exact encoding
// (sha256: 64 lowercase hex digits, sha512: 128). Other algorithms only need to fit the grammar.
bool is_valid_digest(std::string_view digest);

// Succeeds when `content` hashes to `expected` (sha256 or sha512); otherwise the error names both.
Result<void> check_digest(std::string_view content, std::string_view expected);

// Incremental SHA-256 for bodies that arrive in pieces.
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept = default;
  Sha256& operator=(Sha256&&) noexcept = default;

  void update(std::string_view piece);
  // The digest of everything given since construction (or the last final()), as "sha256:<hex>";
  // the hasher then starts over.
  std::string final();

 private:
  MdCtx ctx_;
};

}  // namespace signet::crypto
