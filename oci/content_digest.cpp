#include "oci/content_digest.hpp"

#include <openssl/evp.h>

#include "oci/reference.hpp"

namespace signet::oci {
namespace {

std::string hex_digest(const EVP_MD* md, std::string_view content) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // One-shot EVP_Digest fails only on allocation failure, a programming-level fault.
  if (EVP_Digest(content.data(), content.size(), out, &length, md, nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_digest_of(std::string_view content) { return "sha256:" + hex_digest(EVP_sha256(), content); }

Result<void> check_content_digest(std::string_view content, std::string_view expected) {
  if (auto ok = check_digest_syntax(expected); !ok) return ok.error();
  const std::string_view algorithm = expected.substr(0, expected.find(':'));
  const EVP_MD* md = algorithm == "sha256" ? EVP_sha256() : algorithm == "sha384" ? EVP_sha384() : EVP_sha512();
  const std::string actual = std::string(algorithm) + ":" + hex_digest(md, content);
  if (actual != expected) {
    return Error::invalid("content does not match its digest: expected " + std::string(expected) + ", got " + actual);
  }
  return success();
}

}  // namespace signet::oci
