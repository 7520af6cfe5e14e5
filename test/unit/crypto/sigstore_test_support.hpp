// Shared by the sigstore trust tests: reading vectors and fixtures (skipped when absent), and a small
// independent certificate issuer built on OpenSSL's X509 API.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace signet::test {

// SIGNET_VECTORS_DIR/<relative> and SIGNET_SIGSTORE_FIXTURES/<relative>.
std::string vector_path(const std::string& relative);
std::string fixture_path(const std::string& relative);

std::optional<std::string> read_file(const std::string& path);

// A certificate made here, with the key that signs what it issues.
struct IssuedCertificate {
  std::string der;
  std::shared_ptr<EVP_PKEY> key;
};

struct CertificateSpec {
  std::string common_name;
  bool ca = false;
  const char* extended_key_usage = nullptr;  // "codeSigning", "timeStamping", or none
  std::chrono::sys_seconds not_before;
  std::chrono::sys_seconds not_after;
};

// Self-signed when `issuer` is null. ECDSA P-256 keys, SHA-256 signatures.
IssuedCertificate issue_certificate(const CertificateSpec& spec, const IssuedCertificate* issuer);

}  // namespace signet::test

// Reads `path` into the std::string `name`, or warns and leaves the test case when it is absent (a
// clone without ../shared/vectors, a build without the sigstore fixtures).
#define SIGNET_READ_OR_SKIP(name, path)                     \
  const auto name##_read = ::signet::test::read_file(path); \
  if (!name##_read) {                                       \
    WARN("skipped: " << (path) << " is absent");            \
    return;                                                 \
  }                                                         \
  const std::string& name = *name##_read
