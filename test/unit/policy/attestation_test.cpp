// Attestations through the engine: DSSE envelopes signed by the attestor's key, about the image's digest,
// of the attestation's type; Kyverno's attestor sets and counts apply as for signatures.
#include <catch2/catch.hpp>

#include "engine_test_support.hpp"

using namespace signet;
using namespace signet::policy;
using namespace signet::policy::test;

namespace {

const std::string kSlsa = "https://slsa.dev/provenance/v1";
const std::string kSpdx = "https://spdx.dev/Document";

const TestKey& builder() {
  static const TestKey key = TestKey::ec_p256();
  return key;
}
const TestKey& scanner() {
  static const TestKey key = TestKey::ed25519();
  return key;
}

// A policy whose only entry requires an attestation of `type` signed by `keys` (no signature needed).
PolicySet requiring(const std::string& type, std::vector<const TestKey*> keys, std::optional<int> count = {}) {
  ImageVerification entry = verify_entry({"127.0.0.1:5000/*"}, {});
  Attestation attestation;
  attestation.predicate_type = type;
  std::vector<Attestor> attestors;
  for (const auto* key : keys) attestors.push_back(key_attestor({key}));
  attestation.attestors.push_back(attestor_set(std::move(attestors), count));
  entry.attestations.push_back(std::move(attestation));
  PolicySet set;
  set.policies.push_back(pod_policy({entry}));
  return set;
}

const RuleResult& checked(const PolicySet& set, FakeRegistry& registry) {
  static Decision last;
  last = run(set, pod_request(), images_of({kPinned}), Mode::Validate, registry);
  REQUIRE(last.results.size() == 1);
  UNSCOPED_INFO("result: " << last.results.front().message);
  return last.results.front();
}

}  // namespace

TEST_CASE("an attestation signed by the attestor about the image passes", "[policy][attestations]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSlsa, R"({"builder":{"id":"ci"}})"));
  CHECK(checked(requiring(kSlsa, {&builder()}), registry).status == RuleStatus::Pass);
}

TEST_CASE("no attestation at all fails saying so", "[policy][attestations]") {
  FakeRegistry registry;
  const auto& result = checked(requiring(kSlsa, {&builder()}), registry);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("no attestations found"));
}

TEST_CASE("an attestation of another type does not count, and the message lists what was found",
          "[policy][attestations]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSpdx, R"({"spdxVersion":"SPDX-2.3"})"));
  const auto& result = checked(requiring(kSlsa, {&builder()}), registry);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("no attestation of type " + kSlsa) && Catch::Contains(kSpdx));
}

TEST_CASE("an attestation about another digest does not count", "[policy][attestations]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kOtherDigest, kSlsa, "{}"));
  const auto& result = checked(requiring(kSlsa, {&builder()}), registry);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("subject does not name " + kDigestV1));
}

TEST_CASE("an attestation signed by an unknown key, or with a broken envelope, does not count",
          "[policy][attestations]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(scanner(), kDigestV1, kSlsa, "{}"));
  auto broken = attestation_by(builder(), kDigestV1, kSlsa, "{}");
  std::string envelope = broken.payload;
  envelope.replace(envelope.find("\"sig\":\"") + 7, 4, "AAAA");
  broken.payload = envelope;
  registry.attest(kApp, kDigestV1, broken);
  const auto& result = checked(requiring(kSlsa, {&builder()}), registry);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("signature 1:") && Catch::Contains("signature 2:"));
}

TEST_CASE("count applies to attestation attestors as to signature attestors", "[policy][attestations]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSlsa, "{}"));
  CHECK(checked(requiring(kSlsa, {&builder(), &scanner()}, 1), registry).status == RuleStatus::Pass);
  const auto& both = checked(requiring(kSlsa, {&builder(), &scanner()}), registry);
  CHECK(both.status == RuleStatus::Fail);
  CHECK_THAT(both.message, Catch::Contains("1 of 2 required attestors verified"));
  registry.attest(kApp, kDigestV1, attestation_by(scanner(), kDigestV1, kSlsa, "{}"));
  CHECK(checked(requiring(kSlsa, {&builder(), &scanner()}), registry).status == RuleStatus::Pass);
}

TEST_CASE("an attestation without attestors of its own is checked with the entry's attestors",
          "[policy][attestations]") {
  FakeRegistry registry;
  registry.sign(kApp, kDigestV1, signature_by(builder(), payload_for(kApp, kDigestV1)));
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSlsa, "{}"));
  ImageVerification entry = verify_entry({"127.0.0.1:5000/*"}, {attestor_set({key_attestor({&builder()})})});
  Attestation attestation;
  attestation.predicate_type = kSlsa;
  entry.attestations.push_back(attestation);
  PolicySet set;
  set.policies.push_back(pod_policy({entry}));
  CHECK(checked(set, registry).status == RuleStatus::Pass);

  FakeRegistry only_signed;
  only_signed.sign(kApp, kDigestV1, signature_by(builder(), payload_for(kApp, kDigestV1)));
  CHECK(checked(set, only_signed).status == RuleStatus::Fail);
}

TEST_CASE("a registry error while reading attestations is an Error, not a Fail", "[policy][attestations]") {
  FakeRegistry registry;
  registry.failure = Error::unavailable("connection refused");
  CHECK(checked(requiring(kSlsa, {&builder()}), registry).status == RuleStatus::Error);
}

namespace {

Condition condition(const char* key, ConditionOperator op, json::Value value, std::string message = "") {
  return Condition{json::Value(key), op, std::move(value), std::move(message)};
}

PolicySet requiring_builder(std::vector<ConditionBlock> conditions) {
  PolicySet set = requiring(kSlsa, {&builder()});
  set.policies[0].rules[0].verify_images[0].attestations[0].conditions = std::move(conditions);
  return set;
}

}  // namespace

TEST_CASE("conditions read the predicate's fields at the root", "[policy][attestations][conditions]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1,
                  attestation_by(builder(), kDigestV1, kSlsa, R"({"builder":{"id":"https://ci/v1"},"n":3})"));
  const auto passes =
      requiring_builder({ConditionBlock{{},
                                        {condition("{{ builder.id }}", ConditionOperator::Equals, "https://ci/*"),
                                         condition("{{ n }}", ConditionOperator::GreaterThan, 2)}}});
  CHECK(checked(passes, registry).status == RuleStatus::Pass);

  const auto fails = requiring_builder(
      {ConditionBlock{{}, {condition("{{ builder.id }}", ConditionOperator::Equals, "https://other")}}});
  const auto& result = checked(fails, registry);
  CHECK(result.status == RuleStatus::Fail);
  // The deny names the attestation, the condition and the value found.
  CHECK_THAT(result.message, Catch::Contains("attestation of type " + kSlsa) && Catch::Contains("https://ci/v1") &&
                                 Catch::Contains("Equals"));
}

TEST_CASE("a condition's message replaces the generated one, and request variables are seen",
          "[policy][attestations][conditions]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSlsa, R"({"team":"payments"})"));
  const auto set = requiring_builder({ConditionBlock{
      {}, {condition("{{ team }}", ConditionOperator::Equals, "{{ request.namespace }}", "built by another team")}}});
  auto request = pod_request("payments");
  request.json = json::Object{{"namespace", json::Value("payments")}};
  const auto allowed = run(set, request, images_of({kPinned}), Mode::Validate, registry);
  CHECK(allowed.allowed);
  request.json = json::Object{{"namespace", json::Value("billing")}};
  request.namespace_name = "billing";
  const auto denied = run(set, request, images_of({kPinned}), Mode::Validate, registry);
  CHECK_FALSE(denied.allowed);
  CHECK_THAT(denied.message, Catch::Contains("built by another team"));
}

TEST_CASE("a variable that cannot be resolved fails the attestation naming it", "[policy][attestations][conditions]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSlsa, R"({"builder":{}})"));
  const auto set =
      requiring_builder({ConditionBlock{{}, {condition("{{ builder.id }}", ConditionOperator::Equals, "x")}}});
  const auto& result = checked(set, registry);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("builder.id"));
}

TEST_CASE("conditions see the verified image and the request's images as Kyverno's ImageInfo",
          "[policy][attestations][conditions]") {
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1,
                  attestation_by(builder(), kDigestV1, kSlsa, R"({"subject_image":"127.0.0.1:5000/app"})"));
  const auto set = requiring_builder({ConditionBlock{
      {},
      {condition("{{ image.registry }}/{{ image.path }}", ConditionOperator::Equals, "{{ subject_image }}"),
       condition("{{ image.digest }}", ConditionOperator::Equals, json::Value(kDigestV1)),
       condition("{{ images.containers.c0.name }}", ConditionOperator::Equals, "app")}}});
  CHECK(checked(set, registry).status == RuleStatus::Pass);
}

TEST_CASE("a large SBOM predicate is verified and its conditions read", "[policy][attestations]") {
  // About 2 MiB of SPDX packages: within the default 4 MiB layer cap once base64'd into the envelope.
  std::string packages;
  for (int i = 0; i < 20000; ++i) {
    packages += (i ? "," : "") + std::string(R"({"name":"package-)") + std::to_string(i) +
                R"(","versionInfo":"1.0.0","licenseConcluded":"Apache-2.0","downloadLocation":"NOASSERTION"})";
  }
  const std::string sbom = R"({"spdxVersion":"SPDX-2.3","packages":[)" + packages + "]}";
  REQUIRE(sbom.size() > 2 * 1000 * 1000);
  FakeRegistry registry;
  registry.attest(kApp, kDigestV1, attestation_by(builder(), kDigestV1, kSpdx, sbom));
  PolicySet set = requiring(kSpdx, {&builder()});
  set.policies[0].rules[0].verify_images[0].attestations[0].conditions = {ConditionBlock{
      {}, {Condition{json::Value("{{ length(packages) }}"), ConditionOperator::Equals, json::Value(20000), ""}}}};
  CHECK(checked(set, registry).status == RuleStatus::Pass);
}
