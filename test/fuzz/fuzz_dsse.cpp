// libFuzzer target: DSSE envelopes and the in-toto statements inside them come from any registry an
// image names. Parsing, the PAE and verification with a fixed key must never crash whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/dsse.hpp"
#include "policy/jmespath/json_value.hpp"

namespace {

// A fixed P-256 key: verification runs on every envelope that parses.
constexpr std::string_view kKey = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEahmSvGFmxMJABilV1usgsw6ImcQ/
gDaxw57Sq+uNGHW8Q3zUSx46PuRqdTI+4qE3Ng2oFZgLMpFN/qMrP0MQQg==
-----END PUBLIC KEY-----
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto key = signet::crypto::PublicKey::from_pem(kKey);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto envelope = signet::crypto::parse_dsse_envelope(input);
  if (envelope) {
    (void)signet::crypto::dsse_pae(envelope->payload_type, envelope->payload);
    if (key) (void)signet::crypto::verify_dsse(*envelope, *key, signet::crypto::HashAlgorithm::Sha256);
    if (auto statement = signet::policy::json::parse(envelope->payload)) {
      (void)statement->find("subject");
      (void)signet::policy::json::to_json(*statement);
    }
  }
  return 0;
}
