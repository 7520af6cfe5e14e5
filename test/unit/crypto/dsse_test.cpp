// DSSE envelopes signed by OpenSSL directly (openssl_signer), verified by signet.
#include <catch2/catch.hpp>

#include "crypto/dsse.hpp"
#include "openssl_signer.hpp"

using namespace signet::crypto;
using signet::test::openssl_base64;
using signet::test::TestKey;

namespace {

const std::string kStatement = R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"x","subject":[]})";

// The PAE written out by hand, as the DSSE specification gives it.
std::string pae_by_hand(const std::string& type, const std::string& body) {
  return "DSSEv1 " + std::to_string(type.size()) + " " + type + " " + std::to_string(body.size()) + " " + body;
}

std::string envelope(const std::string& payload, const std::vector<std::string>& signatures,
                     const std::string& type = std::string(kInTotoPayloadType)) {
  std::string out = R"({"payloadType":")" + type + R"(","payload":")" + openssl_base64(payload) +
                    R"(","signatures":[)";
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    out += (i ? "," : "") + std::string(R"({"keyid":"","sig":")") + openssl_base64(signatures[i]) + "\"}";
  }
  return out + "]}";
}

PublicKey public_key_of(const TestKey& key) {
  auto parsed = PublicKey::from_pem(key.public_pem());
  REQUIRE(parsed.ok());
  return *parsed;
}

}  // namespace

TEST_CASE("the PAE is the one the DSSE specification defines", "[crypto][dsse]") {
  CHECK(dsse_pae("http://example.com/HelloWorld", "hello world") ==
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  CHECK(dsse_pae("", "") == "DSSEv1 0  0 ");
}

TEST_CASE("an envelope signed over the PAE verifies with its key, for every key type", "[crypto][dsse]") {
  const std::string pae = pae_by_hand(std::string(kInTotoPayloadType), kStatement);
  struct Case {
    TestKey key;
    const char* digest;
  };
  for (auto& c : {Case{TestKey::ec("P-256"), "SHA256"}, Case{TestKey::rsa(2048), "SHA256"},
                  Case{TestKey::ed25519(), nullptr}}) {
    auto parsed = parse_dsse_envelope(envelope(kStatement, {c.key.sign(pae, c.digest)}));
    REQUIRE(parsed.ok());
    CHECK(parsed->payload == kStatement);
    CHECK(parsed->payload_type == kInTotoPayloadType);
    CHECK(verify_dsse(*parsed, public_key_of(c.key), HashAlgorithm::Sha256).ok());
  }
}

TEST_CASE("a signature over the bare payload, another key or another type does not verify", "[crypto][dsse]") {
  const TestKey key = TestKey::ec("P-256");
  const TestKey other = TestKey::ec("P-256");
  const std::string pae = pae_by_hand(std::string(kInTotoPayloadType), kStatement);
  // Signing the payload without the PAE is the classic mistake DSSE exists to prevent.
  auto bare = parse_dsse_envelope(envelope(kStatement, {key.sign(kStatement, "SHA256")}));
  REQUIRE(bare.ok());
  CHECK_FALSE(verify_dsse(*bare, public_key_of(key), HashAlgorithm::Sha256).ok());
  auto by_other = parse_dsse_envelope(envelope(kStatement, {other.sign(pae, "SHA256")}));
  CHECK_FALSE(verify_dsse(*by_other, public_key_of(key), HashAlgorithm::Sha256).ok());
  // The type is signed: changing it breaks the signature.
  auto retyped = parse_dsse_envelope(envelope(kStatement, {key.sign(pae, "SHA256")}, "application/json"));
  CHECK_FALSE(verify_dsse(*retyped, public_key_of(key), HashAlgorithm::Sha256).ok());
}

TEST_CASE("any one of several signatures may verify", "[crypto][dsse]") {
  const TestKey key = TestKey::ec("P-256");
  const TestKey other = TestKey::ed25519();
  const std::string pae = pae_by_hand(std::string(kInTotoPayloadType), kStatement);
  auto parsed = parse_dsse_envelope(envelope(kStatement, {other.sign(pae, nullptr), key.sign(pae, "SHA256")}));
  REQUIRE(parsed.ok());
  CHECK(verify_dsse(*parsed, public_key_of(key), HashAlgorithm::Sha256).ok());
  const auto error = verify_dsse(*parsed, public_key_of(TestKey::ec("P-256")), HashAlgorithm::Sha256).error();
  CHECK_THAT(error.message, Catch::Contains("none of the envelope's 2 signatures"));
}

TEST_CASE("URL-safe and unpadded base64 are accepted, as DSSE allows", "[crypto][dsse]") {
  std::string payload = "\xfb\xff";  // encodes to "+/8=" in the standard alphabet
  auto parsed = parse_dsse_envelope(R"({"payloadType":"t","payload":"-_8","signatures":[{"sig":"AA"}]})");
  REQUIRE(parsed.ok());
  CHECK(parsed->payload == payload);
  CHECK(parsed->signatures.front().signature == std::string(1, '\0'));
}

TEST_CASE("malformed envelopes are refused naming the field", "[crypto][dsse]") {
  struct Case {
    const char* json;
    const char* message;
  };
  for (const auto& c : {Case{"[]", "not a JSON object"}, Case{"{", "not valid JSON"},
                        Case{R"({"payload":"e30=","signatures":[{"sig":"AA=="}]})", "payloadType is missing"},
                        Case{R"({"payloadType":"t","signatures":[{"sig":"AA=="}]})", "payload is missing"},
                        Case{R"({"payloadType":"t","payload":"e30=","signatures":[]})", "has no signatures"},
                        Case{R"({"payloadType":"t","payload":"e30=","signatures":[{"keyid":"k"}]})",
                             "signatures[0].sig is missing"},
                        Case{R"({"payloadType":"t","payload":"!!","signatures":[{"sig":"AA=="}]})", "payload"},
                        Case{R"({"payloadType":1,"payload":"e30=","signatures":[{"sig":"AA=="}]})",
                             "payloadType is not a string"}}) {
    auto parsed = parse_dsse_envelope(c.json);
    REQUIRE_FALSE(parsed.ok());
    CHECK_THAT(parsed.error().message, Catch::Contains(c.message));
  }
}
