#include "crypto/simple_signing.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using signet::crypto::check_claims;
using signet::crypto::parse_simple_signing;
using signet::crypto::SimpleSigningPayload;

namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

// A cosign payload with `critical` and `optional` given as JSON text.
std::string payload_with(const std::string& critical, const std::string& optional = "null") {
  return R"({"critical":)" + critical + R"(,"optional":)" + optional + "}";
}

std::string critical_with(const std::string& identity, const std::string& image, const std::string& type) {
  return R"({"identity":)" + identity + R"(,"image":)" + image + R"(,"type":)" + type + "}";
}

const std::string kIdentity = R"({"docker-reference":"registry.example/team/app"})";
const std::string kImage = R"({"docker-manifest-digest":")" + kDigestA + R"("})";
const std::string kType = R"("cosign container image signature")";
const std::string kCritical = critical_with(kIdentity, kImage, kType);

std::string parse_error(const std::string& json) {
  auto result = parse_simple_signing(json);
  INFO(json);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  return result.error().message;
}

SimpleSigningPayload parsed(const std::string& json) {
  auto result = parse_simple_signing(json);
  INFO(json);
  if (!result) FAIL(result.error().message);
  return *result;
}

}  // namespace

TEST_CASE("a cosign simple-signing payload is parsed", "[crypto][payload]") {
  const auto payload = parsed(payload_with(kCritical));
  CHECK(payload.docker_reference == "registry.example/team/app");
  CHECK(payload.manifest_digest == kDigestA);
  CHECK(payload.type == "cosign container image signature");
  CHECK(payload.optional.empty());
}

TEST_CASE("optional may be absent, null or an object of any values", "[crypto][payload]") {
  CHECK(parsed(R"({"critical":)" + kCritical + "}").optional.empty());
  CHECK(parsed(payload_with(kCritical, "{}")).optional.empty());

  const auto payload = parsed(payload_with(
      kCritical,
      R"({"creator":"containers/image 5.21.2-dev","timestamp":1657296609,"signed":true,"ref":{"a":[1,"x"]},"none":null})"));
  CHECK(payload.optional.size() == 5);
  CHECK(payload.optional.at("creator") == "containers/image 5.21.2-dev");
  CHECK(payload.optional.at("timestamp") == "1657296609");
  CHECK(payload.optional.at("signed") == "true");
  CHECK(payload.optional.at("ref") == R"({"a":[1,"x"]})");
  CHECK(payload.optional.at("none") == "null");
}

TEST_CASE("payload errors name the missing or mistyped field", "[crypto][payload]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{}", "critical is missing"},
      {R"({"optional":null})", "critical is missing"},
      {R"({"critical":"x"})", "critical is a string, not an object"},
      {R"({"critical":null})", "critical is null, not an object"},
      {payload_with(R"({"image":)" + kImage + R"(,"type":)" + kType + "}"), "critical.identity is missing"},
      {payload_with(critical_with("[]", kImage, kType)), "critical.identity is an array, not an object"},
      {payload_with(critical_with("{}", kImage, kType)), "critical.identity.docker-reference is missing"},
      {payload_with(critical_with(R"({"docker-reference":7})", kImage, kType)),
       "critical.identity.docker-reference is a number, not a string"},
      {payload_with(R"({"identity":)" + kIdentity + R"(,"type":)" + kType + "}"), "critical.image is missing"},
      {payload_with(critical_with(kIdentity, "true", kType)), "critical.image is a boolean, not an object"},
      {payload_with(critical_with(kIdentity, "{}", kType)), "critical.image.docker-manifest-digest is missing"},
      {payload_with(critical_with(kIdentity, R"({"docker-manifest-digest":{}})", kType)),
       "critical.image.docker-manifest-digest is an object, not a string"},
      {payload_with(critical_with(kIdentity, R"({"docker-manifest-digest":"sha256:abc"})", kType)),
       "critical.image.docker-manifest-digest is not a valid digest: 'sha256:abc'"},
      {payload_with(R"({"identity":)" + kIdentity + R"(,"image":)" + kImage + "}"), "critical.type is missing"},
      {payload_with(critical_with(kIdentity, kImage, "null")), "critical.type is null, not a string"},
      {payload_with(kCritical, R"("creator")"), "optional is a string, not an object or null"},
      {payload_with(kCritical, "[]"), "optional is an array, not an object or null"},
  };
  for (const auto& [json, expected] : cases) CHECK(parse_error(json) == expected);
}

TEST_CASE("payloads that are not one JSON object are refused", "[crypto][payload]") {
  CHECK_THAT(parse_error(""), Catch::StartsWith("the payload is not valid JSON: "));
  CHECK_THAT(parse_error("{"), Catch::StartsWith("the payload is not valid JSON: "));
  CHECK_THAT(parse_error(payload_with(kCritical) + " {}"),
             Catch::StartsWith("the payload is not valid JSON: ") && Catch::Contains("at offset"));
  CHECK_THAT(parse_error(payload_with(kCritical, "{\"creator\":\"\xff\"}")),
             Catch::StartsWith("the payload is not valid JSON: "));
  CHECK(parse_error("[]") == "the payload is an array, not a JSON object");
  CHECK(parse_error(R"("text")") == "the payload is a string, not a JSON object");
}

TEST_CASE("unknown fields in critical or at the top are refused", "[crypto][payload]") {
  CHECK(parse_error(payload_with(R"({"identity":)" + kIdentity + R"(,"image":)" + kImage + R"(,"type":)" + kType +
                                 R"(,"expires":1})")) ==
        "unknown field 'expires' in critical (expected only 'identity', 'image', 'type')");
  CHECK(parse_error(payload_with(
            critical_with(kIdentity, R"({"docker-manifest-digest":")" + kDigestA + R"(","sha512":"x"})", kType))) ==
        "unknown field 'sha512' in critical.image (expected only 'docker-manifest-digest')");
  CHECK(parse_error(payload_with(critical_with(R"({"docker-reference":"a","tag":"b"})", kImage, kType))) ==
        "unknown field 'tag' in critical.identity (expected only 'docker-reference')");
  CHECK(parse_error(R"({"critical":)" + kCritical + R"(,"optional":null,"signature":"x"})") ==
        "unknown field 'signature' in the payload (expected only 'critical', 'optional')");
}

TEST_CASE("duplicate fields are refused wherever they are", "[crypto][payload]") {
  // Go keeps the last copy, a first-match reader the first: the payload must not be read two ways.
  CHECK(parse_error(payload_with(critical_with(
            kIdentity,
            R"({"docker-manifest-digest":")" + kDigestA + R"(","docker-manifest-digest":")" + kDigestB + R"("})",
            kType))) == "duplicate field 'docker-manifest-digest' in critical.image");
  CHECK(parse_error(R"({"critical":)" + kCritical + R"(,"critical":)" + kCritical + "}") ==
        "duplicate field 'critical' in the payload");
  CHECK(parse_error(payload_with(kCritical, R"({"a":{"b":1,"b":2}})")) == "duplicate field 'b' in optional.a");
}

TEST_CASE("deeply nested payloads are refused without exhausting the stack", "[crypto][payload]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_THAT(parse_error(payload_with(kCritical, R"({"x":)" + deep + "}")),
             Catch::StartsWith("the payload nests deeper than 32 levels"));
}

TEST_CASE("claims naming the image digest are accepted", "[crypto][claims]") {
  CHECK(check_claims(parsed(payload_with(kCritical)), kDigestA).ok());
}

TEST_CASE("claims naming another digest are rejected", "[crypto][claims]") {
  auto result = check_claims(parsed(payload_with(kCritical)), kDigestB);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  CHECK(result.error().message == "the signature's payload names " + kDigestA + ", not the image digest " + kDigestB);

  const std::string sha512 = "sha512:" + std::string(128, 'a');
  CHECK_FALSE(check_claims(parsed(payload_with(kCritical)), sha512).ok());
}

TEST_CASE("claims with a payload type other than cosign's are rejected", "[crypto][claims]") {
  // containers-signature(5)'s own type, and cosign's in other case: both compare the exact string.
  for (std::string type :
       {"atomic container signature", "Cosign Container Image Signature", "cosign container image signature ", ""}) {
    const auto payload = parsed(payload_with(critical_with(kIdentity, kImage, "\"" + type + "\"")));
    auto result = check_claims(payload, kDigestA);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message ==
          "the signature's payload has type '" + type + "', not 'cosign container image signature'");
  }
}

TEST_CASE("claims cannot be checked against an invalid image digest", "[crypto][claims]") {
  auto result = check_claims(parsed(payload_with(kCritical)), "latest");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "the image digest 'latest' is not a valid digest");
}
