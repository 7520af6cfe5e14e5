// libFuzzer target: sigstore bundles come from any registry's referrers and from the files
// `signet verify-bundle` is given. Parsing, reading the bundle into evidence, and the checks that read the
// evidence's inner formats before any key is trusted (the Rekor body, the checkpoint and proof arithmetic,
// the RFC 3161 token, the SCT list) must never crash whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "crypto/rekor_entry.hpp"
#include "crypto/sct.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "crypto/sigstore_verifier.hpp"
#include "crypto/timestamp.hpp"
#include "crypto/trusted_root.hpp"

namespace {

// A fixed P-256 key standing in for the log: signatures never verify, but everything before them runs.
constexpr std::string_view kLogKey = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEahmSvGFmxMJABilV1usgsw6ImcQ/
gDaxw57Sq+uNGHW8Q3zUSx46PuRqdTI+4qE3Ng2oFZgLMpFN/qMrP0MQQg==
-----END PUBLIC KEY-----
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace signet::crypto;
  static const auto key = PublicKey::from_pem(kLogKey);
  if (!key) __builtin_trap();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto bundle = parse_sigstore_bundle(input);
  if (!bundle) return 0;
  // The shape parse_sigstore_bundle promises: one content, one kind of verification material.
  if (bundle->message_signature.has_value() == bundle->dsse_envelope.has_value()) __builtin_trap();
  if (!bundle->certificates_der.empty() && bundle->public_key_hint) __builtin_trap();
  auto evidence = evidence_from_bundle(*bundle);
  if (!evidence) return 0;

  const TransparencyLog log{"https://rekor.example", {}, *key, {UnixTime{}, std::nullopt}};
  SignedArtifact artifact;
  artifact.artifact_sha256 = evidence->payload_sha256;
  artifact.signature = evidence->signature;
  artifact.envelope = evidence->envelope;
  if (!evidence->certificates.empty()) artifact.verifier_der = evidence->certificates.front().der();
  for (const TlogEntry& entry : evidence->tlog_entries) {
    (void)verify_signed_entry_timestamp(entry, log);
    (void)verify_inclusion_proof(entry, log);
    (void)check_entry_body(entry, artifact);
  }
  const std::vector<CertificateAuthority> no_tsas;
  for (const std::string& token : evidence->rfc3161_timestamps) {
    (void)verify_rfc3161_timestamp(token, evidence->signature, no_tsas);
  }
  if (evidence->certificates.size() >= 2) {
    (void)verify_embedded_scts(evidence->certificates[0], evidence->certificates[1], {});
  }
  return 0;
}
