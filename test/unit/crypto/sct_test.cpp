#include "crypto/sct.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

#include "certificate_helpers.hpp"
#include "crypto/encoding.hpp"
#include "sigstore_test_support.hpp"

using signet::crypto::Certificate;
using signet::crypto::parse_trusted_root;
using signet::crypto::TransparencyLog;
using signet::crypto::TrustedRoot;
using signet::crypto::verify_embedded_scts;
using signet::test::bundle_leaf;
using signet::test::fixture_path;
using signet::test::kConformance;
using signet::test::load_pem;
using signet::test::load_root;
using signet::test::vector_path;

namespace {

using namespace std::chrono_literals;

// The cosign-real keyless leaves that carry embedded SCTs (the 2021 one predates them).
const char* const kLeavesWithScts[] = {
    "keyless-cimage-fulcio-rekor",
    "keyless-cimage-rekor-set-testdata",
    "keyless-connaisseur",
    "keyless-ratify-wabbitnetworks",
    "keyless-salrashid-github-actions-2026",
    "keyless-salrashid-google-sa-2023",
    "att-policy-controller-distroless-vuln-keyless",
};

Certificate first_of(const std::string& pem) {
  auto certs = Certificate::all_from_pem(pem);
  if (!certs) FAIL(certs.error().message);
  return certs->front();
}

// The trusted root CA's certificate closest to the leaves.
Certificate issuing_ca(const TrustedRoot& root, std::size_t authority) {
  auto cert = Certificate::from_der(root.certificate_authorities.at(authority).chain_der.front());
  REQUIRE(cert.ok());
  return *cert;
}

}  // namespace

TEST_CASE("SCTs of real public-good leaves verify with the public-good CT logs", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const TrustedRoot root = load_root(root_json);
  int checked = 0;
  for (const char* name : kLeavesWithScts) {
    const std::string dir = vector_path(std::string("cosign-real/") + name + "/");
    SIGNET_READ_OR_SKIP(leaf_pem, dir + "cert.pem");
    SIGNET_READ_OR_SKIP(chain_pem, dir + "chain.pem");
    INFO(name);
    auto verified = verify_embedded_scts(load_pem(leaf_pem), first_of(chain_pem), root.ctlogs);
    if (!verified) FAIL(verified.error().message);
    ++checked;
  }
  CHECK(checked == 7);
}

TEST_CASE("the conformance suite's public-good leaf has a verifying SCT", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  SIGNET_READ_OR_SKIP(bundle, vector_path(kConformance + "happy-path-v0.3/bundle.sigstore.json"));
  const TrustedRoot root = load_root(root_json);
  auto verified = verify_embedded_scts(bundle_leaf(bundle), issuing_ca(root, 1), root.ctlogs);
  if (!verified) FAIL(verified.error().message);
}

TEST_CASE("an SCT carrying extensions verifies over them", "[crypto][sct]") {
  const std::string dir = vector_path(kConformance + "bundle-with-sct-with-extensions/");
  SIGNET_READ_OR_SKIP(root_json, dir + "trusted_root.json");
  SIGNET_READ_OR_SKIP(bundle, dir + "bundle.sigstore.json");
  const TrustedRoot root = load_root(root_json);
  auto verified = verify_embedded_scts(bundle_leaf(bundle), issuing_ca(root, 0), root.ctlogs);
  if (!verified) FAIL(verified.error().message);
}

TEST_CASE("an SCT from a log the trusted root does not name fails", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(leaf_pem, vector_path("cosign-real/keyless-connaisseur/cert.pem"));
  SIGNET_READ_OR_SKIP(chain_pem, vector_path("cosign-real/keyless-connaisseur/chain.pem"));
  auto verified = verify_embedded_scts(load_pem(leaf_pem), first_of(chain_pem), {});
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().message ==
        "no embedded SCT verifies: SCT from CT log dd3d306ac6c7113263191e1c99673702a24a5eb8de3cadff878a72802f29ee8e, "
        "which the trusted root does not name");
}

TEST_CASE("an SCT checked with a wrong key for its log fails", "[crypto][sct]") {
  const std::string dir = vector_path(kConformance + "invalid-ct-key_fail/");
  SIGNET_READ_OR_SKIP(root_json, dir + "trusted_root.json");
  SIGNET_READ_OR_SKIP(bundle, dir + "bundle.sigstore.json");
  SIGNET_READ_OR_SKIP(public_good_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const TrustedRoot root = load_root(root_json);
  const Certificate leaf = bundle_leaf(bundle);
  const Certificate issuer = issuing_ca(load_root(public_good_json), 1);
  // The same leaf verifies with the real public-good CT logs: only the key makes the difference.
  CHECK(verify_embedded_scts(leaf, issuer, load_root(public_good_json).ctlogs).ok());
  auto verified = verify_embedded_scts(leaf, issuer, root.ctlogs);
  REQUIRE_FALSE(verified.ok());
  CHECK_THAT(verified.error().message, Catch::StartsWith("no embedded SCT verifies: SCT from CT log "));
}

TEST_CASE("an SCT from a log outside its validity period fails", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  SIGNET_READ_OR_SKIP(leaf_pem, vector_path("cosign-real/keyless-connaisseur/cert.pem"));
  SIGNET_READ_OR_SKIP(chain_pem, vector_path("cosign-real/keyless-connaisseur/chain.pem"));
  const Certificate leaf = load_pem(leaf_pem);
  std::vector<TransparencyLog> ctlogs = load_root(root_json).ctlogs;
  for (auto& log : ctlogs) log.valid_for.end = leaf.not_before() - 1h;
  auto verified = verify_embedded_scts(leaf, first_of(chain_pem), ctlogs);
  REQUIRE_FALSE(verified.ok());
  CHECK_THAT(verified.error().message, Catch::Contains("outside the log's validity in the trusted root"));
}

TEST_CASE("an SCT checked against another issuer's key fails", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  SIGNET_READ_OR_SKIP(leaf_pem, vector_path("cosign-real/keyless-connaisseur/cert.pem"));
  SIGNET_READ_OR_SKIP(chain_pem, vector_path("cosign-real/keyless-connaisseur/chain.pem"));
  auto chain = Certificate::all_from_pem(chain_pem);
  REQUIRE(chain.ok());
  // The precertificate names the intermediate's key hash; the root's does not match.
  auto verified = verify_embedded_scts(load_pem(leaf_pem), chain->back(), load_root(root_json).ctlogs);
  REQUIRE_FALSE(verified.ok());
  CHECK_THAT(verified.error().message, Catch::Contains("signature does not verify"));
}

TEST_CASE("a leaf without embedded SCTs fails, saying so", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const std::string dir = vector_path("cosign-real/keyless-sigstore-rs-kubewarden-rekord-2021/");
  SIGNET_READ_OR_SKIP(leaf_pem, dir + "cert.pem");
  SIGNET_READ_OR_SKIP(chain_pem, dir + "chain.pem");
  auto verified = verify_embedded_scts(load_pem(leaf_pem), first_of(chain_pem), load_root(root_json).ctlogs);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().message == "the certificate carries no embedded SCT (signed certificate timestamp)");
}

TEST_CASE("a mock Fulcio leaf's SCT verifies with the mock CT log and not with public-good's", "[crypto][sct]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(leaf_pem, fixture_path("cosign/cert.pem"));
  SIGNET_READ_OR_SKIP(public_good_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const TrustedRoot root = load_root(root_json);
  const Certificate leaf = load_pem(leaf_pem);
  auto verified = verify_embedded_scts(leaf, issuing_ca(root, 0), root.ctlogs);
  if (!verified) FAIL(verified.error().message);
  auto wrong = verify_embedded_scts(leaf, issuing_ca(root, 0), load_root(public_good_json).ctlogs);
  REQUIRE_FALSE(wrong.ok());
  CHECK_THAT(wrong.error().message, Catch::Contains("which the trusted root does not name"));
}
