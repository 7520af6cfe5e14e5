// An independent signer for the tests: keys generated and messages signed with OpenSSL's EVP API
// directly, so that signet's verification is checked against something it did not produce.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace signet::test {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

class TestKey {
 public:
  static TestKey ec(const char* curve);  // "P-256", "P-384", "P-521", "secp256k1"
  static TestKey rsa(unsigned bits);
  static TestKey ed25519();
  static TestKey ed448();

  std::string public_pem() const;  // "PUBLIC KEY" (SubjectPublicKeyInfo)
  std::string public_der() const;
  std::string pkcs1_public_pem() const;         // "RSA PUBLIC KEY", RSA keys only
  std::string private_pem() const;              // "PRIVATE KEY" (PKCS#8)
  std::string traditional_private_pem() const;  // "EC PRIVATE KEY" / "RSA PRIVATE KEY"
  std::string self_signed_certificate_pem() const;

  // EVP_DigestSign with `digest` ("SHA256", ...; nullptr for Ed25519). RSA uses PKCS#1 v1.5 unless
  // `rsa_pss` is set.
  std::string sign(std::string_view message, const char* digest, bool rsa_pss = false) const;

 private:
  explicit TestKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
};

// OpenSSL's own base64 and SHA-256, for building fixtures without signet's code.
std::string openssl_base64(std::string_view bytes);
std::string openssl_sha256_digest(std::string_view bytes);  // "sha256:<hex>"

}  // namespace signet::test
