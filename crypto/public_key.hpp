// Public keys that verify cosign-format signatures: ECDSA P-256/P-384/P-521, RSA (2048 bits or more)
// with PKCS#1 v1.5, and Ed25519, read from PEM "PUBLIC KEY" (SubjectPublicKeyInfo) blocks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/openssl_handles.hpp"
#include "crypto/result.hpp"

namespace signet::crypto {

// The digest a signature was made over, as Kyverno's `signatureAlgorithm` names it.
enum class HashAlgorithm { Sha224, Sha256, Sha384, Sha512 };

// "sha224", "sha256", "sha384" or "sha512"; empty means Kyverno's default, sha256.
Result<HashAlgorithm> parse_hash_algorithm(std::string_view name);
std::string_view to_string(HashAlgorithm hash);

class PublicKey {
 public:
  // Exactly one PEM public key; surrounding whitespace is fine.
  static Result<PublicKey> from_pem(std::string_view pem);
  // One or more PEM public keys separated by whitespace only (as in a Kyverno `publicKeys` field).
  static Result<std::vector<PublicKey>> all_from_pem(std::string_view text);
  // A DER SubjectPublicKeyInfo (a trusted root's keys, a certificate's key).
  static Result<PublicKey> from_der(std::string_view der);

  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;

  // ECDSA: an ASN.1 DER signature over hash(message). RSA: PKCS#1 v1.5 over hash(message).
  // Ed25519: a signature over the message itself; `hash` does not apply.
  // A signature that is well formed but wrong fails with "signature does not verify with <key>";
  // one that cannot be a signature for this key fails with "malformed signature: ...".
  Result<void> verify(std::string_view message, std::string_view signature, HashAlgorithm hash) const;
  // The same over a message known only by its SHA-2 `digest` (raw bytes; the length picks SHA-256/384/512).
  // Ed25519 cannot: it signs the message itself.
  Result<void> verify_prehashed(std::string_view digest, std::string_view signature) const;

  std::string description() const;  // "ECDSA P-256", "RSA 2048", "Ed25519"
  std::string fingerprint() const;  // lowercase hex sha256 of the DER SubjectPublicKeyInfo
  std::string der() const;          // the DER SubjectPublicKeyInfo, as read

  friend bool operator==(const PublicKey& a, const PublicKey& b) { return a.der() == b.der(); }

 private:
  enum class Kind { Ecdsa, Rsa, Ed25519 };
  PublicKey(PKey key, Kind kind, std::string description, std::string der);

  Result<void> check_signature_shape(std::string_view signature) const;

  PKey key_;
  Kind kind_;
  std::string description_;
  // Kept as read: re-encoding through OpenSSL's encoders for every fingerprint cost a third of the time
  // to load a large policy set.
  std::string der_;
};

}  // namespace signet::crypto
