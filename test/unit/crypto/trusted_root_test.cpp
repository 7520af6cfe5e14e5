#include "crypto/trusted_root.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "crypto/encoding.hpp"
#include "openssl_signer.hpp"
#include "sigstore_test_support.hpp"

using signet::crypto::parse_trusted_root;
using signet::crypto::TrustedRoot;
using signet::crypto::UnixTime;
using signet::test::issue_certificate;
using signet::test::openssl_base64;
using signet::test::TestKey;

namespace {

using namespace std::chrono_literals;

constexpr const char* kMediaType = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

UnixTime utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return std::chrono::sys_days(std::chrono::year(y) / m / d) + std::chrono::hours(hh) + std::chrono::minutes(mm) +
         std::chrono::seconds(ss);
}

// A root with one of each kind, every field valid; tests break one field at a time.
struct RootParts {
  std::string media_type = kMediaType;
  std::string tlog_key = openssl_base64(TestKey::ec("P-256").public_der());
  std::string tlog_key_details = "PKIX_ECDSA_P256_SHA_256";
  std::string tlog_valid_for = R"({"start":"2021-01-12T11:53:27Z"})";
  std::string tlog_id = R"({"keyId":"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="})";
  std::string hash_algorithm = "SHA2_256";
  std::string ca_certificate;
  std::string ca_valid_for = R"({"start":"2022-04-13T20:06:15.000Z"})";
  std::string tsa_valid_for = R"({"start":"2023-01-01T00:00:00Z","end":"2030-01-01T00:00:00Z"})";

  RootParts() {
    const auto ca = issue_certificate({"test ca", true, nullptr, utc(2020, 1, 1), utc(2040, 1, 1)}, nullptr);
    ca_certificate = openssl_base64(ca.der);
  }

  std::string json() const {
    const std::string log = R"({"baseUrl":"https://log.example","hashAlgorithm":")" + hash_algorithm +
                            R"(","publicKey":{"rawBytes":")" + tlog_key + R"(","keyDetails":")" + tlog_key_details +
                            R"(","validFor":)" + tlog_valid_for + R"(},"logId":)" + tlog_id + "}";
    const std::string chain = R"({"certificates":[{"rawBytes":")" + ca_certificate + R"("}]})";
    return R"({"mediaType":")" + media_type + R"(","tlogs":[)" + log + R"(],"ctlogs":[)" + log +
           R"(],"certificateAuthorities":[{"uri":"https://ca.example","certChain":)" + chain + R"(,"validFor":)" +
           ca_valid_for + R"(}],"timestampAuthorities":[{"certChain":)" + chain + R"(,"validFor":)" + tsa_valid_for +
           "}]}";
  }
};

std::string parse_error(const RootParts& parts) {
  auto root = parse_trusted_root(parts.json());
  REQUIRE_FALSE(root.ok());
  CHECK(root.error().kind == signet::Error::Kind::Invalid);
  return root.error().message;
}

}  // namespace

TEST_CASE("the public-good trusted root parses with its CAs, logs and validity periods", "[crypto][trusted-root]") {
  SIGNET_READ_OR_SKIP(json, signet::test::vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  auto root = parse_trusted_root(json);
  if (!root) FAIL(root.error().message);

  REQUIRE(root->certificate_authorities.size() == 2);
  CHECK(root->certificate_authorities[0].uri == "https://fulcio.sigstore.dev");
  CHECK(root->certificate_authorities[0].chain_der.size() == 1);
  CHECK(root->certificate_authorities[1].chain_der.size() == 2);
  // "2022-12-31T23:59:59.999Z": the fraction is cut, the end stays inclusive.
  CHECK(root->certificate_authorities[0].valid_for.end == utc(2022, 12, 31, 23, 59, 59));
  CHECK(root->certificate_authorities[0].valid_for.contains(utc(2022, 12, 31, 23, 59, 59)));
  CHECK_FALSE(root->certificate_authorities[0].valid_for.contains(utc(2023, 1, 1)));
  CHECK_FALSE(root->certificate_authorities[1].valid_for.end.has_value());
  CHECK(root->certificate_authorities[1].valid_for.start == utc(2022, 4, 13, 20, 6, 15));

  REQUIRE(root->tlogs.size() == 1);
  const auto& rekor = root->tlogs[0];
  CHECK(rekor.base_url == "https://rekor.sigstore.dev");
  CHECK(rekor.key.description() == "ECDSA P-256");
  // Rekor's log id is the SHA-256 of its key.
  CHECK(signet::crypto::hex_encode(rekor.log_id) == rekor.key.fingerprint());
  CHECK(root->find_tlog(rekor.log_id) == &rekor);
  CHECK(root->find_ctlog(rekor.log_id) == nullptr);

  REQUIRE(root->ctlogs.size() == 2);
  CHECK(root->ctlogs[0].valid_for.end == utc(2022, 10, 31, 23, 59, 59));
  CHECK(root->find_ctlog(root->ctlogs[1].log_id) == &root->ctlogs[1]);
  CHECK(root->timestamp_authorities.empty());
}

TEST_CASE("the mock services' trusted root names its logs, CA and TSA", "[crypto][trusted-root]") {
  SIGNET_READ_OR_SKIP(json, signet::test::fixture_path("trusted_root.json"));
  auto root = parse_trusted_root(json);
  if (!root) FAIL(root.error().message);
  REQUIRE(root->tlogs.size() == 1);
  CHECK(root->tlogs[0].base_url.starts_with("http://127.0.0.1:"));
  CHECK(signet::crypto::hex_encode(root->tlogs[0].log_id) == root->tlogs[0].key.fingerprint());
  REQUIRE(root->ctlogs.size() == 1);
  CHECK(root->ctlogs[0].key.description() == "ECDSA P-256");
  REQUIRE(root->certificate_authorities.size() == 1);
  REQUIRE(root->timestamp_authorities.size() == 1);
  CHECK(root->timestamp_authorities[0].chain_der.size() == 2);  // leaf "tsa signing", root "tsa"
}

TEST_CASE("a root with a PKCS#1 RSA CT key and an Ed25519 Rekor v2 key parses", "[crypto][trusted-root]") {
  SIGNET_READ_OR_SKIP(json, signet::test::vector_path(
                                "sigstore-conformance/test/assets/bundle-verify/rekor2-happy-path/trusted_root.json"));
  auto root = parse_trusted_root(json);
  if (!root) FAIL(root.error().message);
  REQUIRE(root->ctlogs.size() >= 1);
  CHECK(root->ctlogs[0].key.description() == "RSA 4096");
  // The RSA key's log id is the SHA-256 of its SubjectPublicKeyInfo, which signet re-encoded.
  CHECK(signet::crypto::hex_encode(root->ctlogs[0].log_id) == root->ctlogs[0].key.fingerprint());
  REQUIRE(root->tlogs.size() == 2);
  CHECK(root->tlogs[1].key.description() == "Ed25519");
  REQUIRE(root->timestamp_authorities.size() == 1);
  CHECK(root->timestamp_authorities[0].chain_der.size() == 2);
}

TEST_CASE("a log key whose validity has no start is refused, naming the field", "[crypto][trusted-root]") {
  SIGNET_READ_OR_SKIP(json, signet::test::vector_path("sigstore-conformance/test/assets/bundle-verify/"
                                                      "trust-root-tlog-missing-validity-start_fail/trusted_root.json"));
  auto root = parse_trusted_root(json);
  REQUIRE_FALSE(root.ok());
  CHECK(root.error().message == "tlogs[1].publicKey.validFor.start is missing");
}

TEST_CASE("a well-formed synthetic root parses", "[crypto][trusted-root]") {
  const RootParts parts;
  auto root = parse_trusted_root(parts.json());
  if (!root) FAIL(root.error().message);
  CHECK(root->tlogs.size() == 1);
  CHECK(root->ctlogs.size() == 1);
  CHECK(root->certificate_authorities.size() == 1);
  CHECK(root->timestamp_authorities[0].valid_for.end == utc(2030, 1, 1));
}

TEST_CASE("malformed trusted roots are refused with the field that is wrong", "[crypto][trusted-root]") {
  RootParts parts;
  SECTION("not JSON") {
    auto root = parse_trusted_root("{\"mediaType\": ");
    REQUIRE_FALSE(root.ok());
    CHECK_THAT(root.error().message, Catch::StartsWith("trusted root is not valid JSON"));
  }
  SECTION("another media type") {
    parts.media_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
    CHECK_THAT(parse_error(parts), Catch::StartsWith("mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' is "
                                                     "not a trusted root"));
  }
  SECTION("a key that is not base64") {
    parts.tlog_key = "not*base64";
    CHECK_THAT(parse_error(parts), Catch::StartsWith("tlogs[0].publicKey.rawBytes: "));
  }
  SECTION("a key that is not a key") {
    parts.tlog_key = openssl_base64("hello");
    CHECK_THAT(parse_error(parts), Catch::StartsWith("tlogs[0].publicKey.rawBytes: not a valid SubjectPublicKeyInfo"));
  }
  SECTION("keyDetails that contradict the key") {
    parts.tlog_key_details = "PKIX_ED25519";
    CHECK(parse_error(parts) == "tlogs[0].publicKey.keyDetails says PKIX_ED25519 but rawBytes hold an ECDSA P-256 key");
  }
  SECTION("a key type signet does not verify with") {
    parts.tlog_key_details = "PKIX_RSA_PSS_2048_SHA256";
    CHECK_THAT(parse_error(parts), Catch::StartsWith("tlogs[0].publicKey.keyDetails: PKIX_RSA_PSS_2048_SHA256 is not a "
                                                     "key type signet verifies with"));
  }
  SECTION("an RSA key that is too short") {
    parts.tlog_key = openssl_base64(TestKey::rsa(1024).public_der());
    parts.tlog_key_details = "PKIX_RSA_PKCS1V15_2048_SHA256";
    CHECK_THAT(parse_error(parts), Catch::Contains("tlogs[0].publicKey.rawBytes: RSA key of 1024 bits is too short"));
  }
  SECTION("a log hashed with another algorithm") {
    parts.hash_algorithm = "SHA2_384";
    CHECK_THAT(parse_error(parts), Catch::StartsWith("tlogs[0].hashAlgorithm: SHA2_384 is not supported"));
  }
  SECTION("a log without its id") {
    parts.tlog_id = "{}";
    CHECK(parse_error(parts) == "tlogs[0].logId.keyId is missing");
  }
  SECTION("a validity that ends before it starts") {
    parts.tlog_valid_for = R"({"start":"2022-01-01T00:00:00Z","end":"2021-01-01T00:00:00Z"})";
    CHECK(parse_error(parts) ==
          "tlogs[0].publicKey.validFor: end 2021-01-01T00:00:00Z is before start 2022-01-01T00:00:00Z");
  }
  SECTION("a time that is not RFC 3339") {
    parts.ca_valid_for = R"({"start":"13/04/2022"})";
    CHECK(parse_error(parts) == "certificateAuthorities[0].validFor.start: '13/04/2022' is not an RFC 3339 time");
  }
  SECTION("a CA certificate that is not DER") {
    parts.ca_certificate = openssl_base64("not a certificate");
    CHECK_THAT(parse_error(parts),
               Catch::StartsWith("certificateAuthorities[0].certChain.certificates[0].rawBytes is not a DER "
                                 "certificate"));
  }
  SECTION("a timestamp authority without validity") {
    parts.tsa_valid_for = "null";
    CHECK(parse_error(parts) == "timestampAuthorities[0].validFor is not an object");
  }
}

TEST_CASE("validity bounds with fractions of a second never widen the period", "[crypto][trusted-root]") {
  RootParts parts;
  parts.tlog_valid_for = R"({"start":"2021-01-12T11:53:27.250Z","end":"2022-10-31T23:59:59.999Z"})";
  auto root = parse_trusted_root(parts.json());
  if (!root) FAIL(root.error().message);
  const auto& period = root->tlogs[0].valid_for;
  CHECK_FALSE(period.contains(utc(2021, 1, 12, 11, 53, 27)));
  CHECK(period.contains(utc(2021, 1, 12, 11, 53, 28)));
  CHECK(period.contains(utc(2022, 10, 31, 23, 59, 59)));
  CHECK_FALSE(period.contains(utc(2022, 11, 1)));
}

TEST_CASE("validity bounds with a UTC offset are read in UTC", "[crypto][trusted-root]") {
  RootParts parts;
  parts.tlog_valid_for = R"({"start":"2021-01-12T13:00:00+02:00"})";
  auto root = parse_trusted_root(parts.json());
  if (!root) FAIL(root.error().message);
  CHECK(root->tlogs[0].valid_for.start == utc(2021, 1, 12, 11, 0, 0));
}

TEST_CASE("the embedded public-good root is parsed once", "[crypto][trusted-root]") {
  if (signet::crypto::public_good_trusted_root_json().empty()) {
    WARN("skipped: this build embeds no public-good trusted root");
    return;
  }
  const TrustedRoot& root = signet::crypto::public_good_trusted_root();
  CHECK_FALSE(root.certificate_authorities.empty());
  CHECK_FALSE(root.tlogs.empty());
  CHECK(&signet::crypto::public_good_trusted_root() == &root);
}

TEST_CASE("a validity end written as null means no end, as protobuf JSON allows", "[crypto][trusted-root]") {
  RootParts parts;
  parts.ca_valid_for = R"({"start":"2022-04-13T20:06:15Z","end":null})";
  auto root = parse_trusted_root(parts.json());
  if (!root) FAIL(root.error().message);
  CHECK_FALSE(root->certificate_authorities[0].valid_for.end.has_value());
  CHECK(root->certificate_authorities[0].valid_for.contains(utc(2040, 1, 1)));
}
