#include "crypto/timestamp.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

#include "certificate_helpers.hpp"
#include "crypto/certificate.hpp"
#include "crypto/encoding.hpp"
#include "sigstore_test_support.hpp"

using signet::crypto::CertificateAuthority;
using signet::crypto::parse_trusted_root;
using signet::crypto::TrustedRoot;
using signet::crypto::UnixTime;
using signet::crypto::verify_rfc3161_timestamp;
using signet::test::fixture_path;
using signet::test::kConformance;
using signet::test::load_root;
using signet::test::vector_path;

namespace {

using namespace std::chrono_literals;

std::string decode(const char* base64) {
  auto bytes = signet::crypto::base64_decode(base64);
  REQUIRE(bytes.ok());
  return *bytes;
}

// What a message-signature bundle timestamps: its first RFC 3161 token and the raw signature bytes.
struct Stamped {
  std::string timestamp;
  std::string signature;
  std::optional<UnixTime> integrated_time;
};

Stamped stamped(const std::string& bundle_json) {
  rapidjson::Document doc;
  doc.Parse(bundle_json.data(), bundle_json.size());
  REQUIRE(doc.IsObject());
  const auto& material = doc["verificationMaterial"];
  Stamped out{decode(material["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"].GetString()),
              decode(doc["messageSignature"]["signature"].GetString()), std::nullopt};
  if (material.HasMember("tlogEntries") && material["tlogEntries"][0].HasMember("integratedTime")) {
    out.integrated_time =
        UnixTime(std::chrono::seconds(std::stoll(material["tlogEntries"][0]["integratedTime"].GetString())));
  }
  return out;
}

}  // namespace

TEST_CASE("a timestamp from the mock TSA verifies over the signature and gives its time", "[crypto][timestamp]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(bundle, fixture_path("blob-tsa.bundle.json"));
  const TrustedRoot root = load_root(root_json);
  const Stamped s = stamped(bundle);
  auto time = verify_rfc3161_timestamp(s.timestamp, s.signature, root.timestamp_authorities);
  if (!time) FAIL(time.error().message);
  // Signed in the same second or so as the log entry, and inside the TSA's validity.
  REQUIRE(s.integrated_time.has_value());
  CHECK(*time >= *s.integrated_time - 5s);
  CHECK(*time <= *s.integrated_time + 5s);
  CHECK(root.timestamp_authorities[0].valid_for.contains(*time));
}

TEST_CASE("cosign's rfc3161timestamp annotation verifies over the raw signature", "[crypto][timestamp]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(annotation, fixture_path("cosign/rfc3161.json"));
  SIGNET_READ_OR_SKIP(signature_b64, fixture_path("cosign/signature"));
  SIGNET_READ_OR_SKIP(leaf_pem, fixture_path("cosign/cert.pem"));
  rapidjson::Document doc;
  doc.Parse(annotation.data(), annotation.size());
  REQUIRE(doc.IsObject());
  auto signature = signet::crypto::base64_decode(signature_b64);
  REQUIRE(signature.ok());
  const TrustedRoot root = load_root(root_json);
  auto time = verify_rfc3161_timestamp(decode(doc["SignedRFC3161Timestamp"].GetString()), *signature,
                                       root.timestamp_authorities);
  if (!time) FAIL(time.error().message);
  auto leaf = signet::crypto::Certificate::from_pem(leaf_pem);
  REQUIRE(leaf.ok());
  CHECK(*time >= leaf->not_before());
  CHECK(*time <= leaf->not_after());
}

TEST_CASE("a timestamp over other bytes fails", "[crypto][timestamp]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(bundle, fixture_path("blob-tsa.bundle.json"));
  const Stamped s = stamped(bundle);
  std::string other = s.signature;
  other[other.size() / 2] ^= 0x01;
  auto time = verify_rfc3161_timestamp(s.timestamp, other, load_root(root_json).timestamp_authorities);
  REQUIRE_FALSE(time.ok());
  CHECK_THAT(time.error().message, Catch::StartsWith("RFC 3161 timestamp of ") && Catch::Contains("does not verify"));
}

TEST_CASE("a tampered timestamp fails", "[crypto][timestamp]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(bundle, fixture_path("bad-tsa.bundle.json"));
  const Stamped s = stamped(bundle);
  CHECK_FALSE(verify_rfc3161_timestamp(s.timestamp, s.signature, load_root(root_json).timestamp_authorities).ok());
}

TEST_CASE("a timestamp fails against another root's TSAs", "[crypto][timestamp]") {
  SIGNET_READ_OR_SKIP(bundle, fixture_path("blob-tsa.bundle.json"));
  SIGNET_READ_OR_SKIP(other_json, vector_path(kConformance + "rekor2-timestamp-with-embedded-cert/trusted_root.json"));
  SIGNET_READ_OR_SKIP(public_good_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const Stamped s = stamped(bundle);
  const TrustedRoot other = load_root(other_json);
  auto time = verify_rfc3161_timestamp(s.timestamp, s.signature, other.timestamp_authorities);
  REQUIRE_FALSE(time.ok());
  CHECK_THAT(time.error().message, Catch::Contains("timestampAuthorities[0]"));
  auto none = verify_rfc3161_timestamp(s.timestamp, s.signature, load_root(public_good_json).timestamp_authorities);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == "the trusted root names no timestamp authority");
}

TEST_CASE("a TSA outside its validity period in the trusted root is not trusted", "[crypto][timestamp]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(bundle, fixture_path("blob-tsa.bundle.json"));
  const Stamped s = stamped(bundle);
  std::vector<CertificateAuthority> tsas = load_root(root_json).timestamp_authorities;
  auto time = verify_rfc3161_timestamp(s.timestamp, s.signature, tsas);
  REQUIRE(time.ok());
  tsas[0].valid_for.end = *time - 1s;
  auto outside = verify_rfc3161_timestamp(s.timestamp, s.signature, tsas);
  REQUIRE_FALSE(outside.ok());
  CHECK_THAT(outside.error().message, Catch::Contains("not valid at genTime"));
  tsas[0].valid_for.end = *time;  // inclusive
  CHECK(verify_rfc3161_timestamp(s.timestamp, s.signature, tsas).ok());
}

TEST_CASE("bytes that are not a timestamp are refused", "[crypto][timestamp]") {
  auto time = verify_rfc3161_timestamp("not DER", "signature", {});
  REQUIRE_FALSE(time.ok());
  CHECK_THAT(time.error().message, Catch::StartsWith("not an RFC 3161 timestamp"));
}

TEST_CASE("the conformance suite's RFC 3161 timestamps verify or fail as the suite expects", "[crypto][timestamp]") {
  struct Case {
    const char* name;
    const char* failure;  // nullptr: verifies
  };
  const Case cases[] = {
      {"rekor2-timestamp-with-embedded-cert", nullptr},
      {"rekor2-timestamp-without-embedded-cert", nullptr},
      {"rekor2-timestamp-with-expired-cert-chain", nullptr},  // valid at genTime, expired since
      {"trust-root-tsa-validity-end-inclusive", nullptr},
      // The token's own certificates chain to a root the trusted root does not name.
      {"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", "self-signed certificate in certificate chain"},
      {"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", "signer certificate not found"},
      {"rekor2-timestamp-outside-tsa-cert-validity_fail", "certificate has expired"},
      {"rekor2-timestamp-outside-trust-root-tsa-validity_fail", "not valid at genTime"},
      {"rekor2-timestamp-payload-mismatch_fail", "message imprint mismatch"},
  };
  int checked = 0;
  for (const auto& c : cases) {
    const std::string dir = vector_path(kConformance + c.name + "/");
    SIGNET_READ_OR_SKIP(root_json, dir + "trusted_root.json");
    SIGNET_READ_OR_SKIP(bundle, dir + "bundle.sigstore.json");
    INFO(c.name);
    const Stamped s = stamped(bundle);
    auto time = verify_rfc3161_timestamp(s.timestamp, s.signature, load_root(root_json).timestamp_authorities);
    if (c.failure == nullptr) {
      if (!time) FAIL(time.error().message);
    } else {
      REQUIRE_FALSE(time.ok());
      CHECK_THAT(time.error().message, Catch::Contains(c.failure));
    }
    ++checked;
  }
  CHECK(checked == 9);
}
