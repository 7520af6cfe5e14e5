#include "crypto/digest.hpp"

#include <openssl/evp.h>

#include <new>

#include "crypto/encoding.hpp"

namespace signet::crypto {
namespace {

std::string hash_bytes(const EVP_MD* md, std::string_view content) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest only fails when memory runs out, which is not a user's error.
  if (EVP_Digest(content.data(), content.size(), out, &length, md, nullptr) != 1) {
    throw std::bad_alloc();
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_algorithm_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_algorithm_separator(char c) { return c == '+' || c == '.' || c == '_' || c == '-'; }
bool is_encoded_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' || c == '_' || c == '-';
}

// algorithm ::= component (separator component)*, component ::= [a-z0-9]+
bool is_valid_algorithm(std::string_view algorithm) {
  bool expect_component = true;
  for (char c : algorithm) {
    if (is_algorithm_char(c)) {
      expect_component = false;
    } else if (is_algorithm_separator(c) && !expect_component) {
      expect_component = true;
    } else {
      return false;
    }
  }
  return !expect_component;
}

}  // namespace

std::string sha256_bytes(std::string_view content) { return hash_bytes(EVP_sha256(), content); }

std::string sha256_hex(std::string_view content) { return hex_encode(sha256_bytes(content)); }

std::string sha256_digest(std::string_view content) { return "sha256:" + sha256_hex(content); }

bool is_valid_digest(std::string_view digest) {
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  const auto algorithm = digest.substr(0, colon);
  const auto encoded = digest.substr(colon + 1);
  if (!is_valid_algorithm(algorithm) || encoded.empty()) return false;
  for (char c : encoded) {
    if (!is_encoded_char(c)) return false;
  }
  if (algorithm == "sha256") return encoded.size() == 64 && is_lower_hex(encoded);
  if (algorithm == "sha512") return encoded.size() == 128 && is_lower_hex(encoded);
  return true;
}

Result<void> check_digest(std::string_view content, std::string_view expected) {
  if (!is_valid_digest(expected)) {
    std::string message = "'";  // built by appending: GCC 12's -Wrestrict misfires on "'" + string
    message.append(expected).append("' is not a valid digest");
    return Error::invalid(std::move(message));
  }
  const auto algorithm = expected.substr(0, expected.find(':'));
  std::string actual;
  if (algorithm == "sha256") {
    actual = "sha256:" + hex_encode(hash_bytes(EVP_sha256(), content));
  } else if (algorithm == "sha512") {
    actual = "sha512:" + hex_encode(hash_bytes(EVP_sha512(), content));
  } else {
    return Error::invalid("digest algorithm '" + std::string(algorithm) + "' of " + std::string(expected) +
                          " is not supported (sha256 and sha512 are)");
  }
  if (actual != expected) {
    return Error::invalid("content does not match its digest: expected " + std::string(expected) + ", got " + actual);
  }
  return success();
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex2(ctx_.get(), EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

void Sha256::update(std::string_view piece) {
  if (EVP_DigestUpdate(ctx_.get(), piece.data(), piece.size()) != 1) throw std::bad_alloc();
}

std::string Sha256::final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out, &length) != 1 || EVP_DigestInit_ex2(ctx_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::bad_alloc();
  }
  return "sha256:" + hex_encode(std::string_view(reinterpret_cast<const char*>(out), length));
}

}  // namespace signet::crypto
