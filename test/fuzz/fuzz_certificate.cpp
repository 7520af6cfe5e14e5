// libFuzzer target: signing certificates arrive in cosign's annotations, in bundles and in policies.
// Reading them (DER and PEM), their identity (SANs, Fulcio's extensions, the OIDC issuer), their key, their
// validity and their embedded SCT list must never crash whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/certificate.hpp"
#include "crypto/sct.hpp"

namespace {

void read_all(const signet::crypto::Certificate& certificate) {
  (void)certificate.subject_alternative_names();
  const auto extensions = certificate.fulcio_extensions();
  const std::string issuer = certificate.oidc_issuer();
  // The issuer is one of the extensions read (.8, else .1), or "" when neither is there.
  if (!issuer.empty()) {
    const auto v2 = extensions.find("1.3.6.1.4.1.57264.1.8");
    const auto v1 = extensions.find("1.3.6.1.4.1.57264.1.1");
    if ((v2 == extensions.end() || v2->second != issuer) && (v1 == extensions.end() || v1->second != issuer)) {
      __builtin_trap();
    }
  }
  (void)certificate.public_key();
  (void)certificate.not_before();
  (void)certificate.not_after();
  (void)certificate.is_self_signed();
  (void)certificate.pem();
  // The SCT list is parsed and the precertificate rebuilt before any CT log is looked up.
  (void)signet::crypto::verify_embedded_scts(certificate, certificate, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using signet::crypto::Certificate;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto certificate = Certificate::from_der(input)) {
    // What from_der keeps is the certificate's own DER, and it reads back to the same certificate.
    auto again = Certificate::from_der(certificate->der());
    if (!again || again->der() != certificate->der()) __builtin_trap();
    read_all(*certificate);
  }
  if (auto certificate = Certificate::from_pem(input)) read_all(*certificate);
  if (auto chain = Certificate::all_from_pem(input)) {
    for (const auto& certificate : *chain) (void)certificate.subject_alternative_names();
  }
  return 0;
}
