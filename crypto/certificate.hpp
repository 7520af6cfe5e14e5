// X.509 certificates of keyless signing: Fulcio leaves (identity in the SAN and Fulcio's extensions),
// their chains verified at the signing time rather than now (a Fulcio leaf lives ten minutes), and
// bring-your-own PKI chains.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "crypto/openssl_handles.hpp"
#include "crypto/public_key.hpp"
#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::crypto {

using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;

class Certificate {
 public:
  static Result<Certificate> from_der(std::string_view der);
  // Exactly one PEM CERTIFICATE block.
  static Result<Certificate> from_pem(std::string_view pem);
  // One or more PEM CERTIFICATE blocks (a chain annotation, a policy's certChain), in order.
  static Result<std::vector<Certificate>> all_from_pem(std::string_view text);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  const std::string& der() const { return der_; }
  std::string pem() const;
  X509* get() const { return cert_.get(); }
  Result<PublicKey> public_key() const;
  UnixTime not_before() const;
  UnixTime not_after() const;
  bool is_self_signed() const;

  // The SAN values, in order: e-mail addresses, URIs, then DNS names and other names as text.
  // Fulcio's identity is the first of them (cosign's GetSubjectAlternateNames).
  std::vector<std::string> subject_alternative_names() const;

  // Fulcio's extensions under 1.3.6.1.4.1.57264.1, by dotted OID, decoded to text: the v1 ones (.1 to
  // .6: raw strings) and the v2 ones (.8 and up: DER UTF8String).
  std::map<std::string, std::string> fulcio_extensions() const;
  // The OIDC issuer: extension .8 when present, otherwise the deprecated .1; "" when neither is.
  std::string oidc_issuer() const;

 private:
  Certificate(X509Ptr cert, std::string der);
  X509Ptr cert_;
  std::string der_;
};

// Trust anchors and helpers for one chain verification.
struct CertificatePool {
  std::vector<Certificate> roots;          // self-signed anchors
  std::vector<Certificate> intermediates;  // may be used to build the path, never trusted alone
};

// The pool of one trusted-root authority (its last certificate is the root).
Result<CertificatePool> pool_of(const CertificateAuthority& authority);

// Verifies that `leaf` chains to a root of `pool` at time `at` (every certificate valid then), with
// `untrusted` certificates (the signature's chain annotation) allowed as intermediates. With
// `code_signing`, the leaf must carry the codeSigning extended key usage (Fulcio leaves do). Returns the
// chain from the leaf to the root.
Result<std::vector<Certificate>> verify_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                                              const CertificatePool& pool, UnixTime at, bool code_signing);

// verify_chain against every certificate authority of `root` that is valid at `at`; the first that
// verifies wins. The error names each CA tried.
Result<std::vector<Certificate>> verify_fulcio_chain(const Certificate& leaf,
                                                     const std::vector<Certificate>& untrusted,
                                                     const TrustedRoot& root, UnixTime at);

}  // namespace signet::crypto
