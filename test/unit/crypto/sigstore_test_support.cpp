#include "sigstore_test_support.hpp"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/openssl_handles.hpp"

namespace signet::test {
namespace {

using crypto::Free;

void check(int ok, const char* what) {
  if (ok <= 0) throw std::runtime_error(std::string("test certificate: ") + what);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  check(ext != nullptr, "extension");
  check(X509_add_ext(cert, ext.get(), -1), "add extension");
}

}  // namespace

std::string vector_path(const std::string& relative) { return std::string(SIGNET_VECTORS_DIR) + "/" + relative; }

std::string fixture_path(const std::string& relative) { return std::string(SIGNET_SIGSTORE_FIXTURES) + "/" + relative; }

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

IssuedCertificate issue_certificate(const CertificateSpec& spec, const IssuedCertificate* issuer) {
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "key");
  std::unique_ptr<X509, Free<X509_free>> cert(X509_new());
  check(X509_set_version(cert.get(), 2), "version");
  static long serial = 1;
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial), "serial");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0),
        "name");
  check(ASN1_TIME_set(X509_getm_notBefore(cert.get()), spec.not_before.time_since_epoch().count()) != nullptr,
        "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(cert.get()), spec.not_after.time_since_epoch().count()) != nullptr,
        "notAfter");
  check(X509_set_pubkey(cert.get(), key.get()), "public key");

  std::unique_ptr<X509, Free<X509_free>> issuer_cert;
  if (issuer != nullptr) {
    const auto* cursor = reinterpret_cast<const unsigned char*>(issuer->der.data());
    issuer_cert.reset(d2i_X509(nullptr, &cursor, static_cast<long>(issuer->der.size())));
    check(issuer_cert != nullptr, "issuer");
  }
  X509* signer_cert = issuer_cert ? issuer_cert.get() : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer_cert)), "issuer name");
  add_extension(cert.get(), signer_cert, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert.get(), signer_cert, NID_key_usage,
                spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_extension(cert.get(), signer_cert, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(cert.get(), signer_cert, NID_authority_key_identifier, "keyid:always");
  if (spec.extended_key_usage != nullptr) {
    add_extension(cert.get(), signer_cert, NID_ext_key_usage, spec.extended_key_usage);
  }
  EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : key.get();
  check(X509_sign(cert.get(), signing_key, EVP_sha256()), "sign");

  unsigned char* der = nullptr;
  const int length = i2d_X509(cert.get(), &der);
  check(length, "encode");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return {out, key};
}

}  // namespace signet::test
