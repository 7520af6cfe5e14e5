#include "openssl_signer.hpp"

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdio>
#include <stdexcept>

#include "crypto/openssl_handles.hpp"

namespace signet::test {
namespace {

using crypto::Free;
using Bio = std::unique_ptr<BIO, Free<BIO_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using EncoderCtx = std::unique_ptr<OSSL_ENCODER_CTX, Free<OSSL_ENCODER_CTX_free>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL test helper failed: ") + what);
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

template <class Write>
std::string to_pem(Write write) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr, "BIO_new");
  check(write(bio.get()) == 1, "PEM write");
  return drain(bio.get());
}

}  // namespace

TestKey::TestKey(EVP_PKEY* key) : key_(key, EvpPkeyFree{}) { check(key != nullptr, "keygen"); }

TestKey TestKey::ec(const char* curve) { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve)); }
TestKey TestKey::rsa(unsigned bits) {
  return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
}
TestKey TestKey::ed25519() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }
TestKey TestKey::ed448() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448")); }

std::string TestKey::public_pem() const {
  return to_pem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key_.get()); });
}

std::string TestKey::public_der() const {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key_.get(), &der);
  check(length > 0, "i2d_PUBKEY");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string TestKey::pkcs1_public_pem() const {
  EncoderCtx ctx(OSSL_ENCODER_CTX_new_for_pkey(key_.get(), EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr));
  check(ctx && OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) > 0, "encoder");
  return to_pem([&](BIO* bio) { return OSSL_ENCODER_to_bio(ctx.get(), bio); });
}

std::string TestKey::private_pem() const {
  return to_pem(
      [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr); });
}

std::string TestKey::traditional_private_pem() const {
  return to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey_traditional(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

std::string TestKey::self_signed_certificate_pem() const {
  X509Ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("signet test"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key_.get());
  const bool no_digest = EVP_PKEY_is_a(key_.get(), "ED25519");
  check(X509_sign(cert.get(), key_.get(), no_digest ? nullptr : EVP_sha256()) > 0, "X509_sign");
  return to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
}

std::string TestKey::sign(std::string_view message, const char* digest, bool rsa_pss) const {
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_ctx = nullptr;
  check(ctx && EVP_DigestSignInit_ex(ctx.get(), &key_ctx, digest, nullptr, nullptr, key_.get(), nullptr) == 1,
        "EVP_DigestSignInit_ex");
  if (EVP_PKEY_is_a(key_.get(), "RSA")) {
    check(EVP_PKEY_CTX_set_rsa_padding(key_ctx, rsa_pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1, "padding");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  std::size_t length = 0;
  check(EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()) == 1, "size");
  std::string signature(length, '\0');
  check(
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, message.size()) == 1,
      "EVP_DigestSign");
  signature.resize(length);
  return signature;
}

std::string openssl_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

std::string openssl_sha256_digest(std::string_view bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr) == 1, "digest");
  std::string out = "sha256:";
  for (unsigned i = 0; i < length; ++i) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", hash[i]);
    out += pair;
  }
  return out;
}

}  // namespace signet::test
