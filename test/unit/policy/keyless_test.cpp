// Keyless and certificate attestors through the loader and the engine, on signatures and attestations
// made by sigstore-js against the mock Fulcio, CT log, Rekor and TSA (the `sigstore` ctest fixture).
#include <catch2/catch.hpp>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "engine_test_support.hpp"
#include "keyless_test_support.hpp"
#include "loader_test_support.hpp"
#include "policy/signer_identity.hpp"
#include "policy/trust_material.hpp"

using namespace signet;
using namespace signet::policy;
using namespace signet::policy::test;
using signet::policy::testing::indent;
using signet::policy::testing::load_text;

namespace {

const std::string kRepository = "registry.example.com/team/app";

// The fixtures' trust domain is in force for the test's lifetime.
struct MockTrust {
  MockTrust() { set_trusted_root(fixture_root()); }
  ~MockTrust() { set_trusted_root(nullptr); }
};

// A ClusterPolicy with one verifyImages entry whose attestors are `attestors` (YAML, indented 8).
PolicySet policy_with(const std::string& entry_fields) {
  const std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: keyless
spec:
  validationFailureAction: Enforce
  rules:
    - name: verify
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["registry.example.com/*"]
)" + entry_fields;
  LoadReport report = load_text(yaml);
  for (const auto& error : report.errors) UNSCOPED_INFO(error.to_string());
  REQUIRE(report.errors.empty());
  PolicySet set;
  set.policies = report.accepted;
  return set;
}

std::string keyless(const std::string& fields) {
  return "          attestors:\n            - entries:\n                - keyless:\n" + indent(fields, 20);
}

const std::string kSignerFields = "subject: signer@example.com\nissuer: https://issuer.example.com\n";

RuleResult verdict(const PolicySet& policies, const oci::CosignSignature& layer, const std::string& folder = "cosign") {
  FakeRegistry registry;
  const std::string digest = trim(read_fixture(folder + "/digest"));
  registry.sign(kRepository, digest, layer);
  const Decision decision =
      run(policies, pod_request(), images_of({kRepository + "@" + digest}), Mode::Validate, registry);
  REQUIRE(decision.results.size() == 1);
  UNSCOPED_INFO("result: " << decision.results.front().message);
  return decision.results.front();
}

}  // namespace

TEST_CASE("a keyless signature by the named signer and issuer passes", "[policy][keyless]") {
  MockTrust trust;
  CHECK(verdict(policy_with(keyless(kSignerFields)), cosign_layer()).status == RuleStatus::Pass);
}

TEST_CASE("a keyless signature by another subject or issuer fails, naming both", "[policy][keyless]") {
  MockTrust trust;
  auto subject = verdict(policy_with(keyless("subject: someone@example.com\nissuer: https://issuer.example.com\n")),
                         cosign_layer());
  CHECK(subject.status == RuleStatus::Fail);
  CHECK_THAT(subject.message, Catch::Contains("subject mismatch") && Catch::Contains("signer@example.com"));
  auto issuer =
      verdict(policy_with(keyless("subject: signer@example.com\nissuer: https://accounts.google.com\n")), cosign_layer());
  CHECK(issuer.status == RuleStatus::Fail);
  CHECK_THAT(issuer.message, Catch::Contains("issuer mismatch") && Catch::Contains("https://issuer.example.com"));
}

TEST_CASE("keyless subjects and issuers match by wildcard and by RE2 expression", "[policy][keyless]") {
  MockTrust trust;
  CHECK(verdict(policy_with(keyless("subject: \"*@example.com\"\nissuer: https://issuer.*\n")), cosign_layer())
            .status == RuleStatus::Pass);
  CHECK(verdict(policy_with(keyless("subjectRegExp: '^signer@example\\.com$'\nissuerRegExp: 'issuer\\.example'\n")),
                cosign_layer())
            .status == RuleStatus::Pass);
  CHECK(verdict(policy_with(keyless("subjectRegExp: '^admin@'\n")), cosign_layer()).status == RuleStatus::Fail);
}

TEST_CASE("a keyless signature from a CA outside the trusted root fails", "[policy][keyless]") {
  // The process keeps sigstore's public-good root: the mock's Fulcio is not in it.
  auto result = verdict(policy_with(keyless(kSignerFields)), cosign_layer());
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("transparency log entry") || Catch::Contains("certificate"));
}

TEST_CASE("keyless needs a transparency log entry unless the policy ignores the tlog", "[policy][keyless]") {
  MockTrust trust;
  oci::CosignSignature layer = cosign_layer();
  layer.annotations.erase("dev.sigstore.cosign/bundle");
  layer.annotations.erase("dev.sigstore.cosign/rfc3161timestamp");
  auto required = verdict(policy_with(keyless(kSignerFields)), layer);
  CHECK(required.status == RuleStatus::Fail);
  CHECK_THAT(required.message, Catch::Contains("no transparency log entry"));
  // With nothing else to vouch for a time, the certificate is checked now: it passes within its ten
  // minutes and fails after them (fixtures older than that, as when this binary is rerun by hand).
  auto certificate = crypto::Certificate::from_pem(read_fixture("cosign/cert.pem"));
  REQUIRE(certificate.ok());
  const bool fresh = std::chrono::system_clock::now() < certificate->not_after();
  auto ignored = verdict(policy_with(keyless(kSignerFields + "rekor:\n  ignoreTlog: true\n")), layer);
  CHECK(ignored.status == (fresh ? RuleStatus::Pass : RuleStatus::Fail));
  if (!fresh) CHECK_THAT(ignored.message, Catch::Contains("expired"));
}

TEST_CASE("a Rekor entry for another signature, or an altered one, fails", "[policy][keyless]") {
  MockTrust trust;
  oci::CosignSignature other = cosign_layer();
  other.annotations["dev.sigstore.cosign/bundle"] = cosign_layer("cosign-other").annotations["dev.sigstore.cosign/bundle"];
  auto swapped = verdict(policy_with(keyless(kSignerFields)), other);
  CHECK(swapped.status == RuleStatus::Fail);

  oci::CosignSignature altered = cosign_layer();
  std::string& bundle = altered.annotations["dev.sigstore.cosign/bundle"];
  const auto index = bundle.find("\"logIndex\":");
  REQUIRE(index != std::string::npos);
  bundle.insert(index + 11, "1");  // another log index: the SET no longer covers it
  CHECK(verdict(policy_with(keyless(kSignerFields)), altered).status == RuleStatus::Fail);
}

TEST_CASE("an RFC 3161 timestamp vouches for the signing time when the tlog is ignored", "[policy][keyless]") {
  MockTrust trust;
  oci::CosignSignature layer = cosign_layer();
  layer.annotations.erase("dev.sigstore.cosign/bundle");
  const std::string ignore = kSignerFields + "rekor:\n  ignoreTlog: true\n";
  CHECK(verdict(policy_with(keyless(ignore)), layer).status == RuleStatus::Pass);
  // A timestamp over other bytes (the blob bundle's signature) is refused, not skipped.
  auto blob = crypto::parse_sigstore_bundle(read_fixture("blob-tsa.bundle.json"));
  REQUIRE(blob.ok());
  oci::CosignSignature other = layer;
  other.annotations["dev.sigstore.cosign/rfc3161timestamp"] =
      R"({"SignedRFC3161Timestamp":")" + crypto::base64_encode(blob->rfc3161_timestamps.front()) + "\"}";
  auto result = verdict(policy_with(keyless(ignore)), other);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("RFC 3161 timestamp"));
}

TEST_CASE("the SCT must come from a known CT log unless ignoreSCT", "[policy][keyless]") {
  MockTrust trust;
  // ctlog.pubkey replaces the trusted root's CT logs: the Rekor key is not the one that signed the SCT.
  const std::string rekor_key = read_fixture("rekor.pub");
  const std::string unknown_log = kSignerFields + "ctlog:\n  pubkey: |\n" + indent(rekor_key, 4);
  auto result = verdict(policy_with(keyless(unknown_log)), cosign_layer());
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("certificate transparency"));
  const std::string ignored = kSignerFields + "ctlog:\n  ignoreSCT: true\n  pubkey: |\n" + indent(rekor_key, 4);
  CHECK(verdict(policy_with(keyless(ignored)), cosign_layer()).status == RuleStatus::Pass);
  const std::string right_log = kSignerFields + "ctlog:\n  pubkey: |\n" + indent(read_fixture("ctlog.pub"), 4);
  CHECK(verdict(policy_with(keyless(right_log)), cosign_layer()).status == RuleStatus::Pass);
}

TEST_CASE("rekor.pubkey replaces the trusted root's Rekor logs", "[policy][keyless]") {
  MockTrust trust;
  const std::string right = kSignerFields + "rekor:\n  pubkey: |\n" + indent(read_fixture("rekor.pub"), 4);
  CHECK(verdict(policy_with(keyless(right)), cosign_layer()).status == RuleStatus::Pass);
  const std::string wrong = kSignerFields + "rekor:\n  pubkey: |\n" + indent(read_fixture("ctlog.pub"), 4);
  auto result = verdict(policy_with(keyless(wrong)), cosign_layer());
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("not in the trusted root"));
}

TEST_CASE("keyless.roots replaces the trusted root's Fulcio CAs", "[policy][keyless]") {
  const std::string roots = kSignerFields + "roots: |\n" + indent(read_fixture("fulcio-chain.pem"), 2) +
                            "rekor:\n  pubkey: |\n" + indent(read_fixture("rekor.pub"), 4) + "ctlog:\n  pubkey: |\n" +
                            indent(read_fixture("ctlog.pub"), 4) + "  tsaCertChain: |\n" +
                            indent(read_fixture("tsa-chain.pem"), 4);
  // No MockTrust: everything comes from the policy.
  CHECK(verdict(policy_with(keyless(roots)), cosign_layer()).status == RuleStatus::Pass);
  const std::string wrong_roots = kSignerFields + "roots: |\n" + indent(read_fixture("tsa-chain.pem"), 2) +
                                  "rekor:\n  pubkey: |\n" + indent(read_fixture("rekor.pub"), 4);
  CHECK(verdict(policy_with(keyless(wrong_roots)), cosign_layer()).status == RuleStatus::Fail);
}

TEST_CASE("a certificates attestor verifies with its cert, or chains the signature's to certChain",
          "[policy][keyless]") {
  MockTrust trust;
  auto certificates = [](const std::string& fields) {
    return "          attestors:\n            - entries:\n                - certificates:\n" + indent(fields, 20);
  };
  const std::string cert = "cert: |\n" + indent(read_fixture("cosign/cert.pem"), 2);
  CHECK(verdict(policy_with(certificates(cert)), cosign_layer()).status == RuleStatus::Pass);
  const std::string chain = "certChain: |\n" + indent(read_fixture("fulcio-chain.pem"), 2);
  CHECK(verdict(policy_with(certificates(chain)), cosign_layer()).status == RuleStatus::Pass);
  const std::string other_cert = "cert: |\n" + indent(read_fixture("cosign-other/cert.pem"), 2);
  CHECK(verdict(policy_with(certificates(other_cert)), cosign_layer()).status == RuleStatus::Fail);
  const std::string other_chain = "certChain: |\n" + indent(read_fixture("tsa-chain.pem"), 2);
  CHECK(verdict(policy_with(certificates(other_chain)), cosign_layer()).status == RuleStatus::Fail);
}

TEST_CASE("a keyless attestation passes with its signer's identity and fails with another's",
          "[policy][keyless][attestations]") {
  MockTrust trust;
  const std::string blob_digest = "sha256:" + crypto::sha256_hex(read_fixture("blob.txt"));
  auto run_attestation = [&](const std::string& subject) {
    const std::string entry = "          attestations:\n            - type: https://slsa.dev/provenance/v1\n"
                              "              attestors:\n                - entries:\n                    - keyless:\n" +
                              indent("subject: " + subject + "\nissuer: https://issuer.example.com\n", 24);
    FakeRegistry registry;
    registry.attest(kRepository, blob_digest, attestation_layer("dsse.bundle.json"));
    const Decision decision = run(policy_with(entry), pod_request(), images_of({kRepository + "@" + blob_digest}),
                                  Mode::Validate, registry);
    REQUIRE(decision.results.size() == 1);
    UNSCOPED_INFO("result: " << decision.results.front().message);
    return decision.results.front().status;
  };
  CHECK(run_attestation("signer@example.com") == RuleStatus::Pass);
  CHECK(run_attestation("someone@example.com") == RuleStatus::Fail);
}

TEST_CASE("additionalExtensions match Fulcio's extensions by name or OID", "[policy][keyless]") {
  auto bundle = crypto::parse_sigstore_bundle(read_fixture("github.bundle.json"));
  REQUIRE(bundle.ok());
  auto certificate = crypto::Certificate::from_der(bundle->certificates_der.front());
  REQUIRE(certificate.ok());
  KeylessAttestor wanted;
  wanted.additional_extensions = {{"githubWorkflowRepository", "acme/app"},
                                  {"sourceRepositoryURI", "https://github.com/acme/*"},
                                  {"1.3.6.1.4.1.57264.1.2", "push"},
                                  {"issuer", "https://token.actions.githubusercontent.com"}};
  CHECK(check_signer_identity(*certificate, wanted).ok());
  wanted.additional_extensions = {{"githubWorkflowRef", "refs/heads/release"}};
  auto mismatch = check_signer_identity(*certificate, wanted);
  REQUIRE_FALSE(mismatch.ok());
  CHECK_THAT(mismatch.error().message, Catch::Contains("refs/heads/main"));
  CHECK(is_fulcio_extension("buildSignerURI"));
  CHECK_FALSE(is_fulcio_extension("favouriteColour"));
}

TEST_CASE("keyless attestors are loaded with their identity, and bad ones are refused by field",
          "[policy][keyless][loader]") {
  auto refused = [](const std::string& fields) {
    const std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: keyless
spec:
  rules:
    - name: verify
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["registry.example.com/*"]
          mutateDigest: false
)" + keyless(fields);
    LoadReport report = load_text(yaml);
    return report.errors.empty() ? std::string() : report.errors.front().to_string();
  };
  CHECK_THAT(refused("subjectRegExp: '(unclosed'\n"), Catch::Contains("subjectRegExp is not a valid regular expression"));
  CHECK_THAT(refused("additionalExtensions:\n  favouriteColour: blue\n"),
             Catch::Contains("not a Fulcio certificate extension"));
  CHECK_THAT(refused("roots: not a certificate\n"), Catch::Contains("roots"));
  CHECK_THAT(refused("rekor:\n  pubkey: nonsense\n"), Catch::Contains("pubkey"));
  CHECK(refused(kSignerFields) == "");

  const PolicySet a = policy_with(keyless(kSignerFields));
  const PolicySet b = policy_with(keyless("subject: other@example.com\nissuer: https://issuer.example.com\n"));
  const auto& entry = a.policies.front().rules.front().verify_images.front();
  REQUIRE(entry.attestors.front().entries.front().keyless.has_value());
  CHECK(entry.attestors.front().entries.front().keyless->subject == "signer@example.com");
  CHECK(entry.fingerprint != b.policies.front().rules.front().verify_images.front().fingerprint);
}

TEST_CASE("the deprecated entry-level issuer and subject become a keyless attestor", "[policy][keyless][loader]") {
  MockTrust trust;
  const PolicySet set = policy_with("          issuer: https://issuer.example.com\n          subject: signer@example.com\n");
  CHECK(verdict(set, cosign_layer()).status == RuleStatus::Pass);
}
