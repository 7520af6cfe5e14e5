// libFuzzer target: cosign's `dev.sigstore.cosign/bundle` annotation comes from any registry. Parsing it,
// and the SET and body checks that read it before any signature verifies, must never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/rekor_entry.hpp"
#include "crypto/trusted_root.hpp"

namespace {

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
  auto entry = parse_cosign_rekor_bundle(input);
  if (!entry) return 0;
  // A cosign bundle is an offline promise: it always carries the SET.
  if (!entry->signed_entry_timestamp) __builtin_trap();
  const TransparencyLog log{"https://rekor.example", entry->log_id, *key, {UnixTime{}, std::nullopt}};
  (void)verify_signed_entry_timestamp(*entry, log);
  SignedArtifact artifact;
  artifact.artifact_sha256 = std::string(32, '\x01');
  artifact.signature = "signature";
  artifact.verifier_der = key->der();
  (void)check_entry_body(*entry, artifact);
  return 0;
}
