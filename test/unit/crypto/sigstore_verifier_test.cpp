// The verifier that ties the pieces together, on the keyless fixtures (sigstore-js against the mock
// Fulcio, CT log, Rekor and TSA): which times a certificate is checked at, and what each option relaxes.
#include <chrono>

#include <catch2/catch.hpp>

#include "crypto/encoding.hpp"
#include "crypto/sigstore_verifier.hpp"
#include "sigstore_test_support.hpp"

using namespace signet;
using namespace signet::crypto;

namespace {

struct Fixture {
  TrustedRoot root;
  SigstoreBundle bundle;
  std::string blob;
};

std::optional<Fixture> load(const std::string& bundle_name) {
  auto root_json = test::read_file(test::fixture_path("trusted_root.json"));
  auto bundle_json = test::read_file(test::fixture_path(bundle_name));
  auto blob = test::read_file(test::fixture_path("blob.txt"));
  if (!root_json || !bundle_json || !blob) return std::nullopt;
  auto root = parse_trusted_root(*root_json);
  auto bundle = parse_sigstore_bundle(*bundle_json);
  REQUIRE(root.ok());
  REQUIRE(bundle.ok());
  return Fixture{std::move(*root), std::move(*bundle), std::move(*blob)};
}

#define LOAD_OR_SKIP(name, file)                                  \
  auto name##_loaded = load(file);                                \
  if (!name##_loaded) {                                           \
    WARN("skipped: the sigstore fixtures are absent");            \
    return;                                                       \
  }                                                               \
  Fixture& name = *name##_loaded

VerifyOptions options(bool tlog, bool sct) { return {tlog, sct, HashAlgorithm::Sha256, std::nullopt}; }

}  // namespace

TEST_CASE("a keyless bundle verifies at its logged time, long after the certificate expired",
          "[crypto][verifier]") {
  LOAD_OR_SKIP(f, "blob.bundle.json");
  auto evidence = evidence_from_bundle(f.bundle);
  REQUIRE(evidence.ok());
  evidence->payload = f.blob;
  VerifyOptions later = options(true, true);
  later.now = evidence->certificates.front().not_after() + std::chrono::hours(24 * 365);
  auto verified = verify_with_certificate_authority(*evidence, f.root, later);
  REQUIRE(verified.ok());
  CHECK(verified->logged);
  REQUIRE(verified->verified_times.size() == 1);
  CHECK(verified->certificate.has_value());
}

TEST_CASE("without log evidence, an expired certificate fails even when the tlog is not required",
          "[crypto][verifier]") {
  LOAD_OR_SKIP(f, "blob.bundle.json");
  auto evidence = evidence_from_bundle(f.bundle);
  REQUIRE(evidence.ok());
  evidence->payload = f.blob;
  evidence->tlog_entries.clear();
  VerifyOptions expired = options(false, true);
  expired.now = evidence->certificates.front().not_after() + std::chrono::hours(1);
  auto verified = verify_with_certificate_authority(*evidence, f.root, expired);
  REQUIRE_FALSE(verified.ok());
  CHECK_THAT(verified.error().message, Catch::Contains("signing certificate"));
  // Within its validity, and with the tlog not required, it verifies.
  VerifyOptions fresh = options(false, true);
  fresh.now = evidence->certificates.front().not_before() + std::chrono::minutes(1);
  CHECK(verify_with_certificate_authority(*evidence, f.root, fresh).ok());
  // The tlog is required by default.
  auto required = verify_with_certificate_authority(*evidence, f.root, options(true, true));
  REQUIRE_FALSE(required.ok());
  CHECK_THAT(required.error().message, Catch::Contains("no transparency log entry"));
}

TEST_CASE("an RFC 3161 timestamp alone vouches for the signing time", "[crypto][verifier]") {
  LOAD_OR_SKIP(f, "blob-notlog-tsa.bundle.json");
  auto evidence = evidence_from_bundle(f.bundle);
  REQUIRE(evidence.ok());
  evidence->payload = f.blob;
  VerifyOptions later = options(false, true);
  later.now = evidence->certificates.front().not_after() + std::chrono::hours(24);
  auto verified = verify_with_certificate_authority(*evidence, f.root, later);
  REQUIRE(verified.ok());
  CHECK_FALSE(verified->logged);
  CHECK(verified->verified_times.size() == 1);
}

TEST_CASE("a signature over other bytes or by another key fails before anything else", "[crypto][verifier]") {
  LOAD_OR_SKIP(f, "blob.bundle.json");
  auto evidence = evidence_from_bundle(f.bundle);
  REQUIRE(evidence.ok());
  const std::string other = f.blob + "tampered";
  evidence->payload = other;
  auto verified = verify_with_certificate_authority(*evidence, f.root, options(true, true));
  REQUIRE_FALSE(verified.ok());
  CHECK_THAT(verified.error().message, Catch::Contains("signature does not verify"));
  auto key = evidence->certificates.front().public_key();
  REQUIRE(key.ok());
  evidence->payload = f.blob;
  // The certificate's key as a plain key: the log entry names the certificate, not the key.
  auto as_key = verify_with_key(*evidence, *key, f.root, options(true, false));
  REQUIRE_FALSE(as_key.ok());
  CHECK(verify_with_key(*evidence, *key, f.root, options(false, false)).ok() == false);
}
