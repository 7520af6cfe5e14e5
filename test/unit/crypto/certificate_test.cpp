#include "crypto/certificate.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>

#include "certificate_helpers.hpp"
#include "crypto/encoding.hpp"
#include "sigstore_test_support.hpp"

using signet::crypto::Certificate;
using signet::crypto::CertificatePool;
using signet::crypto::parse_trusted_root;
using signet::crypto::TrustedRoot;
using signet::crypto::UnixTime;
using signet::test::bundle_leaf;
using signet::test::fixture_path;
using signet::test::issue_certificate;
using signet::test::load_pem;
using signet::test::load_root;
using signet::test::vector_path;

namespace {

using namespace std::chrono_literals;

// The cosign-real fixtures signed keyless: leaf, chain annotation, Rekor integratedTime.
const char* const kKeylessFixtures[] = {
    "keyless-cimage-fulcio-rekor",
    "keyless-cimage-rekor-set-testdata",
    "keyless-connaisseur",
    "keyless-ratify-wabbitnetworks",
    "keyless-salrashid-github-actions-2026",
    "keyless-salrashid-google-sa-2023",
    "keyless-sigstore-rs-kubewarden-rekord-2021",
    "att-policy-controller-distroless-vuln-keyless",
};

std::vector<Certificate> load_chain(const std::string& pem) {
  auto certs = Certificate::all_from_pem(pem);
  if (!certs) FAIL(certs.error().message);
  return *certs;
}

UnixTime integrated_time(const std::string& cosign_bundle_json) {
  rapidjson::Document doc;
  doc.Parse(cosign_bundle_json.data(), cosign_bundle_json.size());
  REQUIRE(doc.IsObject());
  return UnixTime(std::chrono::seconds(doc["Payload"]["integratedTime"].GetInt64()));
}

UnixTime now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

}  // namespace

TEST_CASE("certificates load from PEM and DER and keep their bytes", "[crypto][certificate]") {
  SIGNET_READ_OR_SKIP(pem, vector_path("cosign-real/keyless-connaisseur/cert.pem"));
  const Certificate cert = load_pem(pem);
  auto again = Certificate::from_der(cert.der());
  REQUIRE(again.ok());
  CHECK(again->der() == cert.der());
  CHECK(load_pem(cert.pem()).der() == cert.der());
  CHECK(cert.not_after() - cert.not_before() == 10min);
  CHECK_FALSE(cert.is_self_signed());
  auto key = cert.public_key();
  REQUIRE(key.ok());
  CHECK(key->description() == "ECDSA P-256");

  const Certificate copy = cert;  // shares the X509, keeps working after the original goes
  CHECK(copy.der() == cert.der());
}

TEST_CASE("a chain annotation loads every certificate in order", "[crypto][certificate]") {
  SIGNET_READ_OR_SKIP(pem, vector_path("cosign-real/keyless-connaisseur/chain.pem"));
  const auto chain = load_chain(pem);
  REQUIRE(chain.size() == 2);
  CHECK_FALSE(chain[0].is_self_signed());  // sigstore-intermediate
  CHECK(chain[1].is_self_signed());        // sigstore root
}

TEST_CASE("text that is not one certificate is refused with the reason", "[crypto][certificate]") {
  CHECK(Certificate::from_pem("  \n").error().message == "no certificate found: the text is empty");
  const std::string key_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  CHECK(Certificate::from_pem(key_pem).error().message ==
        "certificate PEM, line 1: a 'PUBLIC KEY' block is not a certificate (expected '-----BEGIN "
        "CERTIFICATE-----')");
  const std::string garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  CHECK_THAT(Certificate::from_pem(garbage).error().message,
             Catch::StartsWith("certificate PEM, line 1: not a DER X.509 certificate"));
  CHECK_THAT(Certificate::from_der("").error().message, Catch::StartsWith("not a DER X.509 certificate"));
}

TEST_CASE("a GitHub Actions leaf names its workflow, issuer and Fulcio extensions", "[crypto][certificate]") {
  SIGNET_READ_OR_SKIP(pem, vector_path("cosign-real/keyless-salrashid-github-actions-2026/cert.pem"));
  const Certificate cert = load_pem(pem);
  const std::string workflow =
      "https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30";
  CHECK(cert.subject_alternative_names() == std::vector<std::string>{workflow});
  CHECK(cert.oidc_issuer() == "https://token.actions.githubusercontent.com");
  const auto ext = cert.fulcio_extensions();
  // v1, raw strings
  CHECK(ext.at("1.3.6.1.4.1.57264.1.1") == "https://token.actions.githubusercontent.com");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.2") == "push");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.3") == "7624bd5f279fb5d4700ea72c1b2373ee33960700");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.4") == "Release");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.5") == "salrashid123/go-bazel-github-workflow");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.6") == "refs/tags/v0.0.30");
  // v2, DER UTF8Strings decoded
  CHECK(ext.at("1.3.6.1.4.1.57264.1.8") == "https://token.actions.githubusercontent.com");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.9") == workflow);
  CHECK(ext.at("1.3.6.1.4.1.57264.1.11") == "github-hosted");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.12") == "https://github.com/salrashid123/go-bazel-github-workflow");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.15") == "1150755799");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.20") == "push");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.21") ==
        "https://github.com/salrashid123/go-bazel-github-workflow/actions/runs/22498294485/attempts/1");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.22") == "public");
  CHECK(ext.size() == 21);  // .1-.6 and .8-.22
}

TEST_CASE("the conformance suite's GitHub leaf reads the same way", "[crypto][certificate]") {
  SIGNET_READ_OR_SKIP(
      bundle, vector_path("sigstore-conformance/test/assets/bundle-verify/happy-path-v0.3/bundle.sigstore.json"));
  const Certificate cert = bundle_leaf(bundle);
  CHECK(cert.subject_alternative_names() ==
        std::vector<std::string>{"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
                                 ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"});
  CHECK(cert.oidc_issuer() == "https://token.actions.githubusercontent.com");
  CHECK(cert.fulcio_extensions().at("1.3.6.1.4.1.57264.1.5") ==
        "sigstore-conformance/extremely-dangerous-public-oidc-beacon");
}

TEST_CASE("a GitHub leaf from the mock Fulcio carries the claims as extensions", "[crypto][certificate]") {
  SIGNET_READ_OR_SKIP(bundle, fixture_path("github.bundle.json"));
  const Certificate cert = bundle_leaf(bundle);
  CHECK(cert.subject_alternative_names() ==
        std::vector<std::string>{"https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main"});
  CHECK(cert.oidc_issuer() == "https://token.actions.githubusercontent.com");
  const auto ext = cert.fulcio_extensions();
  CHECK(ext.at("1.3.6.1.4.1.57264.1.5") == "acme/app");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.6") == "refs/heads/main");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.3") == "0123456789abcdef0123456789abcdef01234567");
  CHECK(ext.at("1.3.6.1.4.1.57264.1.12") == "https://github.com/acme/app");
}

TEST_CASE("an e-mail leaf without the v2 issuer falls back to the v1 extension", "[crypto][certificate]") {
  SIGNET_READ_OR_SKIP(pem, vector_path("cosign-real/keyless-cimage-fulcio-rekor/cert.pem"));
  const Certificate cert = load_pem(pem);
  CHECK(cert.subject_alternative_names() == std::vector<std::string>{"mitr@redhat.com"});
  CHECK(cert.fulcio_extensions().count("1.3.6.1.4.1.57264.1.8") == 0);
  CHECK(cert.oidc_issuer() == "https://github.com/login/oauth");
}

TEST_CASE("keyless leaves chain to the public-good Fulcio at their Rekor time, not before, not now",
          "[crypto][certificate][chain]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const TrustedRoot root = load_root(root_json);
  int checked = 0;
  for (const char* name : kKeylessFixtures) {
    const std::string dir = vector_path(std::string("cosign-real/") + name + "/");
    SIGNET_READ_OR_SKIP(leaf_pem, dir + "cert.pem");
    SIGNET_READ_OR_SKIP(chain_pem, dir + "chain.pem");
    SIGNET_READ_OR_SKIP(bundle, dir + "bundle.json");
    INFO(name);
    const Certificate leaf = load_pem(leaf_pem);
    const auto untrusted = load_chain(chain_pem);
    const UnixTime signed_at = integrated_time(bundle);

    auto chain = signet::crypto::verify_fulcio_chain(leaf, untrusted, root, signed_at);
    if (!chain) FAIL(chain.error().message);
    REQUIRE(chain->size() == untrusted.size() + 1);
    CHECK(chain->front().der() == leaf.der());
    CHECK(chain->back().is_self_signed());

    auto today = signet::crypto::verify_fulcio_chain(leaf, untrusted, root, now());
    REQUIRE_FALSE(today.ok());
    // The 2021 leaf's CA is no longer valid at all; the others' chains have expired.
    if (std::string_view(name).find("2021") == std::string_view::npos) {
      CHECK_THAT(today.error().message, Catch::Contains("certificate has expired"));
    }

    auto early = signet::crypto::verify_fulcio_chain(leaf, untrusted, root, leaf.not_before() - 1s);
    REQUIRE_FALSE(early.ok());
    CHECK_THAT(early.error().message, Catch::Contains("certificate is not yet valid"));
    ++checked;
  }
  CHECK(checked == 8);
}

TEST_CASE("a keyless leaf does not chain to another trusted root", "[crypto][certificate][chain]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(leaf_pem, vector_path("cosign-real/keyless-connaisseur/cert.pem"));
  SIGNET_READ_OR_SKIP(chain_pem, vector_path("cosign-real/keyless-connaisseur/chain.pem"));
  const TrustedRoot mock = load_root(root_json);
  const Certificate leaf = load_pem(leaf_pem);
  const UnixTime at = leaf.not_before() + 60s;
  // The annotation's own root does not make it trusted.
  auto chain = signet::crypto::verify_fulcio_chain(leaf, load_chain(chain_pem), mock, at);
  if (!chain.ok()) {
    CHECK_THAT(chain.error().message, Catch::Contains("unable to get local issuer certificate") ||
                                          Catch::Contains("no Fulcio certificate authority"));
  } else {
    FAIL("verified against the wrong root");
  }
}

TEST_CASE("a mock Fulcio leaf chains to the mock's root and not to public-good", "[crypto][certificate][chain]") {
  SIGNET_READ_OR_SKIP(root_json, fixture_path("trusted_root.json"));
  SIGNET_READ_OR_SKIP(leaf_pem, fixture_path("cosign/cert.pem"));
  SIGNET_READ_OR_SKIP(chain_pem, fixture_path("cosign/chain.pem"));
  SIGNET_READ_OR_SKIP(public_good_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  const Certificate leaf = load_pem(leaf_pem);
  const UnixTime at = leaf.not_before() + 30s;
  auto chain = signet::crypto::verify_fulcio_chain(leaf, {}, load_root(root_json), at);
  if (!chain) FAIL(chain.error().message);
  CHECK(chain->size() == 2);  // the mock issues from its root directly

  auto wrong = signet::crypto::verify_fulcio_chain(leaf, load_chain(chain_pem), load_root(public_good_json), at);
  REQUIRE_FALSE(wrong.ok());
  CHECK_THAT(wrong.error().message,
             Catch::StartsWith("the certificate does not chain to a Fulcio certificate authority: "
                               "certificateAuthorities[1] (https://fulcio.sigstore.dev): certificate chain does "
                               "not verify at "));
}

TEST_CASE("no certificate authority valid at the signing time means no chain", "[crypto][certificate][chain]") {
  SIGNET_READ_OR_SKIP(root_json, vector_path("cosign-real/_trust/trusted_root_public_good.json"));
  SIGNET_READ_OR_SKIP(leaf_pem, vector_path("cosign-real/keyless-connaisseur/cert.pem"));
  const UnixTime at = std::chrono::sys_days(std::chrono::year(2020) / 1 / 1);
  auto chain = signet::crypto::verify_fulcio_chain(load_pem(leaf_pem), {}, load_root(root_json), at);
  REQUIRE_FALSE(chain.ok());
  CHECK(chain.error().message ==
        "no Fulcio certificate authority of the trusted root is valid at 2020-01-01T00:00:00Z");
}

namespace {

struct TestPki {
  UnixTime start = std::chrono::sys_days(std::chrono::year(2024) / 1 / 1);
  signet::test::IssuedCertificate root =
      issue_certificate({"root", true, nullptr, start, start + std::chrono::days(3650)}, nullptr);

  signet::test::IssuedCertificate issue(const char* name, const signet::test::IssuedCertificate& by, bool ca,
                                        const char* eku) const {
    return issue_certificate({name, ca, eku, start + 1h, start + std::chrono::days(365)}, &by);
  }
  static Certificate cert(const signet::test::IssuedCertificate& issued) {
    auto cert = Certificate::from_der(issued.der);
    REQUIRE(cert.ok());
    return *cert;
  }
  CertificatePool pool() const { return {{cert(root)}, {}}; }
};

}  // namespace

TEST_CASE("a chain through an intermediate verifies and is returned leaf to root", "[crypto][certificate][chain]") {
  const TestPki pki;
  const auto intermediate = pki.issue("intermediate", pki.root, true, nullptr);
  const auto leaf = pki.issue("leaf", intermediate, false, "codeSigning");
  auto chain = signet::crypto::verify_chain(TestPki::cert(leaf), {TestPki::cert(intermediate)}, pki.pool(),
                                            pki.start + 2h, true);
  if (!chain) FAIL(chain.error().message);
  REQUIRE(chain->size() == 3);
  CHECK(chain->at(1).der() == intermediate.der);
  CHECK(chain->at(2).der() == pki.root.der);

  // Intermediates may also come from the trusted root's own chain.
  CertificatePool with_intermediate = pki.pool();
  with_intermediate.intermediates.push_back(TestPki::cert(intermediate));
  CHECK(signet::crypto::verify_chain(TestPki::cert(leaf), {}, with_intermediate, pki.start + 2h, true).ok());
}

TEST_CASE("an intermediate that is not a CA cannot issue", "[crypto][certificate][chain]") {
  const TestPki pki;
  const auto not_ca = pki.issue("not a ca", pki.root, false, nullptr);
  const auto leaf = pki.issue("leaf", not_ca, false, "codeSigning");
  auto chain =
      signet::crypto::verify_chain(TestPki::cert(leaf), {TestPki::cert(not_ca)}, pki.pool(), pki.start + 2h, true);
  REQUIRE_FALSE(chain.ok());
  CHECK_THAT(chain.error().message, Catch::Contains("invalid CA certificate"));
}

TEST_CASE("a leaf without codeSigning fails only when code signing is asked", "[crypto][certificate][chain]") {
  const TestPki pki;
  const auto leaf = pki.issue("tsa", pki.root, false, "timeStamping");
  auto signing = signet::crypto::verify_chain(TestPki::cert(leaf), {}, pki.pool(), pki.start + 2h, true);
  REQUIRE_FALSE(signing.ok());
  CHECK(signing.error().message == "the leaf certificate (/CN=tsa) lacks the codeSigning extended key usage");
  CHECK(signet::crypto::verify_chain(TestPki::cert(leaf), {}, pki.pool(), pki.start + 2h, false).ok());
}

TEST_CASE("an intermediate alone is not a trust anchor (no partial chains)", "[crypto][certificate][chain]") {
  const TestPki pki;
  const auto intermediate = pki.issue("intermediate", pki.root, true, nullptr);
  const auto leaf = pki.issue("leaf", intermediate, false, "codeSigning");
  const CertificatePool only_intermediate{{TestPki::cert(intermediate)}, {}};
  auto chain = signet::crypto::verify_chain(TestPki::cert(leaf), {}, only_intermediate, pki.start + 2h, true);
  REQUIRE_FALSE(chain.ok());
  CHECK_THAT(chain.error().message, Catch::Contains("unable to get issuer certificate") ||
                                        Catch::Contains("unable to get local issuer certificate"));
}

TEST_CASE("a leaf signed by an untrusted root fails even when that root is offered as untrusted",
          "[crypto][certificate][chain]") {
  const TestPki pki;
  const TestPki other;
  const auto leaf = other.issue("leaf", other.root, false, "codeSigning");
  auto chain =
      signet::crypto::verify_chain(TestPki::cert(leaf), {TestPki::cert(other.root)}, pki.pool(), pki.start + 2h, true);
  REQUIRE_FALSE(chain.ok());
  CHECK_THAT(chain.error().message, Catch::StartsWith("certificate chain does not verify at 2024-01-01T02:00:00Z: "));
}
