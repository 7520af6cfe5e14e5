#include <catch2/catch.hpp>

#include "engine_test_support.hpp"

using namespace signet;
using namespace signet::policy;
using namespace signet::policy::test;

namespace {

const std::string kTagged = kApp + ":v1";

const TestKey& key_a() {
  static const TestKey key = TestKey::ec_p256();
  return key;
}
const TestKey& key_b() {
  static const TestKey key = TestKey::ec_p256();
  return key;
}
const TestKey& key_ed() {
  static const TestKey key = TestKey::ed25519();
  return key;
}

// The registry holds app:v1 at kDigestV1, signed by `signers`.
FakeRegistry registry_signed_by(std::vector<const TestKey*> signers) {
  FakeRegistry r;
  r.add_image(kApp, "v1", kDigestV1);
  for (const auto* key : signers) r.sign(kApp, kDigestV1, signature_by(*key, payload_for(kApp, kDigestV1)));
  return r;
}

PolicySet one_policy(Policy p) {
  PolicySet set;
  set.policies.push_back(std::move(p));
  return set;
}

PolicySet keyed_policy(std::vector<AttestorSet> attestors, FailureAction action = FailureAction::Enforce) {
  return one_policy(pod_policy({verify_entry({"127.0.0.1:5000/*"}, std::move(attestors))}, action));
}

Decision validate(const PolicySet& set, oci::Registry& registry, std::vector<std::string> images = {kPinned}) {
  return run(set, pod_request(), images_of(images), Mode::Validate, registry);
}

const RuleResult& only_result(const Decision& d) {
  REQUIRE(d.results.size() == 1);
  return d.results.front();
}

}  // namespace

TEST_CASE("an image signed with the policy's key passes and records the digest", "[policy][engine]") {
  auto registry = registry_signed_by({&key_a()});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK(d.allowed);
  const auto& r = only_result(d);
  CHECK(r.status == RuleStatus::Pass);
  CHECK(r.digest == kDigestV1);
  CHECK(r.policy == "check-signatures");
  CHECK(r.rule == "verify-cosign");
  CHECK(r.image == kPinned);
}

TEST_CASE("an Ed25519 signature verifies like an ECDSA one", "[policy][engine]") {
  auto registry = registry_signed_by({&key_ed()});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_ed()})})}), registry);
  CHECK(only_result(d).status == RuleStatus::Pass);
}

TEST_CASE("an unsigned image fails with no signatures found and is denied under Enforce", "[policy][engine]") {
  auto registry = registry_signed_by({});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK(only_result(d).message == "no signatures found");
  CHECK(d.message == "image " + kPinned + " denied by policy check-signatures rule verify-cosign: no signatures found");
}

TEST_CASE("an image signed with another key fails, naming the attestor and the key", "[policy][engine]") {
  auto registry = registry_signed_by({&key_b()});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK_FALSE(d.allowed);
  const auto& r = only_result(d);
  CHECK(r.status == RuleStatus::Fail);
  CHECK_THAT(r.message, Catch::StartsWith("no signature verifies with the key of attestors[0].entries[0]: "));
  CHECK_THAT(r.message, Catch::Contains("ECDSA P-256"));
}

TEST_CASE("a signature whose claims name another digest fails", "[policy][engine][claims]") {
  FakeRegistry registry;
  registry.sign(kApp, kDigestV1, signature_by(key_a(), payload_for(kApp, kOtherDigest)));
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::Contains(kOtherDigest.substr(7, 16)));
}

TEST_CASE("a tampered payload fails even though its claims are right", "[policy][engine][claims]") {
  FakeRegistry registry;
  auto sig = signature_by(key_a(), payload_for(kApp, kDigestV1));
  sig.payload = payload_for(kApp, kDigestV1, {{"extra", "added"}});
  registry.sign(kApp, kDigestV1, sig);
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK(only_result(d).status == RuleStatus::Fail);
}

TEST_CASE("any one of several signatures may satisfy a key", "[policy][engine]") {
  auto registry = registry_signed_by({&key_b(), &key_a()});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK(only_result(d).status == RuleStatus::Pass);
}

TEST_CASE("count 1 over two entries passes when one entry's key signed", "[policy][engine][count]") {
  auto registry = registry_signed_by({&key_a()});
  const auto set = attestor_set({key_attestor({&key_b()}), key_attestor({&key_a()})}, 1);
  CHECK(only_result(validate(keyed_policy({set}), registry)).status == RuleStatus::Pass);
}

TEST_CASE("without count every entry must verify", "[policy][engine][count]") {
  auto registry = registry_signed_by({&key_a()});
  const auto set = attestor_set({key_attestor({&key_a()}), key_attestor({&key_b()})});
  const auto d = validate(keyed_policy({set}), registry);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::StartsWith("attestors[0]: 1 of 2 required attestors verified"));
  CHECK_THAT(only_result(d).message, Catch::Contains("attestors[0].entries[1]"));
}

TEST_CASE("count 2 fails when one of the two signatures is missing", "[policy][engine][count]") {
  auto registry = registry_signed_by({&key_a()});
  const auto set = attestor_set({key_attestor({&key_a()}), key_attestor({&key_b()}), key_attestor({&key_ed()})}, 2);
  CHECK(only_result(validate(keyed_policy({set}), registry)).status == RuleStatus::Fail);
  auto both = registry_signed_by({&key_a(), &key_ed()});
  CHECK(only_result(validate(keyed_policy({set}), both)).status == RuleStatus::Pass);
}

TEST_CASE("every attestor set of an entry must pass", "[policy][engine][count]") {
  auto registry = registry_signed_by({&key_a()});
  const auto policy =
      keyed_policy({attestor_set({key_attestor({&key_a()})}), attestor_set({key_attestor({&key_b()})})});
  const auto d = validate(policy, registry);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::Contains("attestors[1].entries[0]"));
}

TEST_CASE("a nested attestor set counts as one entry of its parent", "[policy][engine][nested]") {
  Attestor nested;
  nested.attestor =
      std::make_shared<AttestorSet>(attestor_set({key_attestor({&key_a()}), key_attestor({&key_b()})}, 1));
  const auto set = attestor_set({nested, key_attestor({&key_ed()})}, 2);
  auto only_a = registry_signed_by({&key_a()});
  const auto failed = validate(keyed_policy({set}), only_a);
  CHECK(only_result(failed).status == RuleStatus::Fail);
  CHECK_THAT(only_result(failed).message, Catch::Contains("attestors[0].entries[1]"));
  auto a_and_ed = registry_signed_by({&key_a(), &key_ed()});
  CHECK(only_result(validate(keyed_policy({set}), a_and_ed)).status == RuleStatus::Pass);
  auto b_and_ed = registry_signed_by({&key_b(), &key_ed()});
  CHECK(only_result(validate(keyed_policy({set}), b_and_ed)).status == RuleStatus::Pass);
}

TEST_CASE("a nested set that fails names its path", "[policy][engine][nested]") {
  Attestor nested;
  nested.attestor = std::make_shared<AttestorSet>(attestor_set({key_attestor({&key_b()})}));
  auto registry = registry_signed_by({&key_a()});
  const auto d = validate(keyed_policy({attestor_set({nested})}), registry);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::Contains("attestors[0].entries[0].attestor.entries[0]"));
}

TEST_CASE("several keys in one publicKeys must all verify when count is absent", "[policy][engine][keys]") {
  const auto set = attestor_set({key_attestor({&key_a(), &key_b()})});
  auto only_a = registry_signed_by({&key_a()});
  const auto d = validate(keyed_policy({set}), only_a);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::Contains("key 2 of 2 of attestors[0].entries[0]"));
  auto both = registry_signed_by({&key_a(), &key_b()});
  CHECK(only_result(validate(keyed_policy({set}), both)).status == RuleStatus::Pass);
}

TEST_CASE("several keys in one publicKeys with count 1 accept any of them", "[policy][engine][keys]") {
  const auto set = attestor_set({key_attestor({&key_a(), &key_b()})}, 1);
  auto only_b = registry_signed_by({&key_b()});
  CHECK(only_result(validate(keyed_policy({set}), only_b)).status == RuleStatus::Pass);
  auto only_ed = registry_signed_by({&key_ed()});
  CHECK(only_result(validate(keyed_policy({set}), only_ed)).status == RuleStatus::Fail);
}

TEST_CASE("attestor annotations must all be in the signed payload", "[policy][engine][annotations]") {
  FakeRegistry registry;
  registry.sign(kApp, kDigestV1, signature_by(key_a(), payload_for(kApp, kDigestV1, {{"env", "prod"}, {"team", "a"}})));
  auto attestor = key_attestor({&key_a()});
  attestor.annotations = {{"env", "prod"}};
  CHECK(only_result(validate(keyed_policy({attestor_set({attestor})}), registry)).status == RuleStatus::Pass);
  attestor.annotations = {{"env", "prod"}, {"team", "b"}};
  const auto wrong = validate(keyed_policy({attestor_set({attestor})}), registry);
  CHECK(only_result(wrong).status == RuleStatus::Fail);
  CHECK_THAT(only_result(wrong).message, Catch::Contains("annotation team is \"a\""));
  attestor.annotations = {{"owner", "x"}};
  const auto missing = validate(keyed_policy({attestor_set({attestor})}), registry);
  CHECK_THAT(only_result(missing).message, Catch::Contains("no annotation owner"));
}

TEST_CASE("a transparency-log entry is required unless rekor.ignoreTlog is set", "[policy][engine][tlog]") {
  auto registry = registry_signed_by({&key_a()});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()}, false)})}), registry);
  CHECK_FALSE(d.allowed);
  CHECK_THAT(only_result(d).message,
             Catch::Contains("no transparency log entry (set rekor.ignoreTlog: true to verify without one)"));
}

TEST_CASE("a signature whose Rekor bundle cannot be read fails naming the annotation", "[policy][engine][tlog]") {
  FakeRegistry registry;
  registry.sign(kApp, kDigestV1, signature_by(key_a(), payload_for(kApp, kDigestV1), true));
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()}, false)})}), registry);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::Contains("dev.sigstore.cosign/bundle"));
}

TEST_CASE("a registry failure is an Error that denies under Enforce", "[policy][engine][errors]") {
  auto registry = registry_signed_by({&key_a()});
  registry.failure = Error::unavailable("connection refused");
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry);
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Error);
  CHECK_THAT(only_result(d).message, Catch::Contains("connection refused"));
  CHECK_THAT(d.message, Catch::Contains("image " + kPinned));
}

TEST_CASE("a registry failure while resolving a tag is an Error too", "[policy][engine][errors]") {
  auto registry = registry_signed_by({&key_a()});
  registry.failure = Error::unavailable("timed out");
  const auto d = run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), pod_request(), images_of({kTagged}),
                     Mode::Mutate, registry);
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Error);
  CHECK_THAT(only_result(d).message, Catch::Contains("resolving tag v1"));
  CHECK(d.patch.empty());
}

TEST_CASE("when one key's signatures cannot be fetched, a failed count is an Error, not a Fail",
          "[policy][engine][errors]") {
  auto registry = registry_signed_by({&key_a()});
  auto elsewhere = key_attestor({&key_b()});
  elsewhere.repository = "127.0.0.1:5000/unreachable";
  struct PartlyDown : FakeRegistry {
    boost::asio::awaitable<Result<std::vector<oci::CosignSignature>>> cosign_signatures(
        const oci::Reference& image, const std::optional<std::string>& repository, oci::Pull d) override {
      if (repository) co_return Error::unavailable("connection refused");
      co_return co_await FakeRegistry::cosign_signatures(image, repository, d);
    }
  } partly;
  partly.signatures = registry.signatures;
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()}), elsewhere})}), partly);
  CHECK(only_result(d).status == RuleStatus::Error);
  const auto bad = validate(keyed_policy({attestor_set({key_attestor({&key_ed()}), elsewhere})}), partly);
  CHECK(only_result(bad).status == RuleStatus::Fail);  // key_ed failing decides it whatever the fetch says
}

TEST_CASE("under Audit a failure allows with a short warning", "[policy][engine][audit]") {
  auto registry = registry_signed_by({});
  const std::string long_image = kApp + std::string(60, 'x') + "@" + kDigestV1;
  auto policy =
      one_policy(pod_policy({verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})})}, FailureAction::Audit));
  const auto d = validate(policy, registry, {long_image});
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].size() <= 120 + 2);  // "…" is three bytes for one character
  CHECK_THAT(d.warnings[0], Catch::StartsWith("check-signatures/verify-cosign: "));
  CHECK_FALSE(d.audit_annotations.empty());
}

TEST_CASE("an entry's failureAction overrides the policy's", "[policy][engine][audit]") {
  auto registry = registry_signed_by({});
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  entry.failure_action = FailureAction::Audit;
  CHECK(validate(one_policy(pod_policy({entry}, FailureAction::Enforce)), registry).allowed);
  entry.failure_action = FailureAction::Enforce;
  CHECK_FALSE(validate(one_policy(pod_policy({entry}, FailureAction::Audit)), registry).allowed);
}

TEST_CASE("imageReferences select by full name, registry port and Docker Hub normalisation",
          "[policy][engine][references]") {
  FakeRegistry registry;  // nothing signed: a selected image fails, an unselected one has no result
  auto selected = [&](std::vector<std::string> references, const std::string& image) {
    const auto set =
        one_policy(pod_policy({verify_entry(std::move(references), {attestor_set({key_attestor({&key_a()})})})}));
    return !validate(set, registry, {image}).results.empty();
  };
  const std::string digest = "@" + kDigestV1;
  CHECK(selected({"127.0.0.1:5000/*"}, kPinned));
  CHECK_FALSE(selected({"127.0.0.1:5001/*"}, kPinned));
  CHECK(selected({"127.0.0.1:*/app*"}, kPinned));
  CHECK(selected({"ghcr.io/org/*"}, "ghcr.io/org/team/app" + digest));
  CHECK_FALSE(selected({"ghcr.io/org/*"}, "ghcr.io/other/app" + digest));
  CHECK(selected({"*"}, "nginx" + digest));
  // Docker Hub: Kyverno's spelling, the full one, and the image as written.
  CHECK(selected({"docker.io/nginx*"}, "nginx" + digest));
  CHECK(selected({"docker.io/library/nginx*"}, "nginx" + digest));
  CHECK(selected({"nginx*"}, "nginx" + digest));
  CHECK(selected({"docker.io/team/app:*"}, "team/app:1.0"));
  CHECK(selected({"docker.io/team/app@*"}, "team/app:1.0@" + kDigestV1));
  CHECK_FALSE(selected({"docker.io/nginx*"}, "ghcr.io/nginx" + digest));
  CHECK_FALSE(selected({"ghcr.io/*"}, "nginx" + digest));
}

TEST_CASE("skipImageReferences skip an image, recorded as Skip", "[policy][engine][references]") {
  FakeRegistry registry;
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  entry.skip_image_references = {"docker.io/library/busybox*", "127.0.0.1:5000/trusted/*"};
  const auto set = one_policy(pod_policy({entry}));
  const std::string digest = "@" + kDigestV1;
  const auto d = validate(set, registry, {"busybox" + digest, "127.0.0.1:5000/trusted/x" + digest, kPinned});
  REQUIRE(d.results.size() == 3);
  CHECK(d.results[0].status == RuleStatus::Skip);
  CHECK(d.results[1].status == RuleStatus::Skip);
  CHECK(d.results[2].status == RuleStatus::Fail);
  CHECK(registry.signature_requests == std::vector<std::string>{kApp + "@" + kDigestV1});
}

TEST_CASE("a skip pattern does not match the short form as written", "[policy][engine][references]") {
  FakeRegistry registry;
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  entry.skip_image_references = {"busybox*"};
  const auto d = validate(one_policy(pod_policy({entry})), registry, {"busybox@" + kDigestV1});
  CHECK(only_result(d).status == RuleStatus::Fail);
}

TEST_CASE("an unparsable image is a Fail naming it", "[policy][engine][references]") {
  FakeRegistry registry;
  const auto d =
      validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry, {"127.0.0.1:5000/App:v1"});
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Fail);
  CHECK_THAT(only_result(d).message, Catch::StartsWith("invalid image reference"));
  CHECK_THAT(d.message, Catch::Contains("127.0.0.1:5000/App:v1"));
}

TEST_CASE("verifyDigest fails an image given by tag in Validate mode", "[policy][engine][digest]") {
  auto registry = registry_signed_by({&key_a()});
  const auto d = validate(keyed_policy({attestor_set({key_attestor({&key_a()})})}), registry, {kTagged});
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).message == "image is not pinned to a digest (verifyDigest)");
  CHECK(registry.resolve_calls == 0);
}

TEST_CASE("with verifyDigest false a tag is resolved and verified in Validate mode", "[policy][engine][digest]") {
  auto registry = registry_signed_by({&key_a()});
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  entry.verify_digest = false;
  const auto d = validate(one_policy(pod_policy({entry})), registry, {kTagged});
  CHECK(d.allowed);
  CHECK(only_result(d).digest == kDigestV1);
  CHECK(d.patch.empty());
}

TEST_CASE("Mutate pins a verified tag to its digest, keeping the tag", "[policy][engine][mutate]") {
  auto registry = registry_signed_by({&key_a()});
  const auto d = run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), pod_request(),
                     images_of({"nginx@" + kDigestV2, kTagged}), Mode::Mutate, registry);
  CHECK(d.allowed);
  REQUIRE(d.patch.size() == 1);
  CHECK(d.patch[0].op == "replace");
  CHECK(d.patch[0].path == "/spec/containers/1/image");
  CHECK(d.patch[0].value == kTagged + "@" + kDigestV1);
}

TEST_CASE("Mutate pins every container that uses the image, verifying it once", "[policy][engine][mutate]") {
  auto registry = registry_signed_by({&key_a()});
  const auto d = run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), pod_request(),
                     images_of({kTagged, kTagged}), Mode::Mutate, registry);
  CHECK(d.patch.size() == 2);
  CHECK(registry.resolve_calls == 1);
  CHECK(registry.signature_requests.size() == 1);
}

TEST_CASE("mutateDigest false verifies without a patch", "[policy][engine][mutate]") {
  auto registry = registry_signed_by({&key_a()});
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  entry.mutate_digest = false;
  const auto d = run(one_policy(pod_policy({entry})), pod_request(), images_of({kTagged}), Mode::Mutate, registry);
  CHECK(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Pass);
  CHECK(d.patch.empty());
}

TEST_CASE("Mutate under Audit leaves a failing image unpatched and allows", "[policy][engine][mutate]") {
  auto registry = registry_signed_by({&key_b()});
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  const auto d = run(one_policy(pod_policy({entry}, FailureAction::Audit)), pod_request(), images_of({kTagged}),
                     Mode::Mutate, registry);
  CHECK(d.allowed);
  CHECK(d.patch.empty());
  CHECK(d.warnings.size() == 1);
}

TEST_CASE("Mutate under Enforce denies a failing tag", "[policy][engine][mutate]") {
  auto registry = registry_signed_by({});
  const auto d = run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), pod_request(), images_of({kTagged}),
                     Mode::Mutate, registry);
  CHECK_FALSE(d.allowed);
  CHECK(d.patch.empty());
}

TEST_CASE("the entry's repository is where signatures are read", "[policy][engine][repository]") {
  FakeRegistry registry;
  registry.sign("127.0.0.1:5000/signatures", kDigestV1, signature_by(key_a(), payload_for(kApp, kDigestV1)));
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  CHECK(only_result(validate(one_policy(pod_policy({entry})), registry)).status == RuleStatus::Fail);
  entry.repository = "127.0.0.1:5000/signatures";
  CHECK(only_result(validate(one_policy(pod_policy({entry})), registry)).status == RuleStatus::Pass);
}

TEST_CASE("an attestor's repository overrides the entry's", "[policy][engine][repository]") {
  FakeRegistry registry;
  registry.sign("127.0.0.1:5000/sigs-a", kDigestV1, signature_by(key_a(), payload_for(kApp, kDigestV1)));
  auto attestor = key_attestor({&key_a()});
  attestor.repository = "127.0.0.1:5000/sigs-a";
  auto entry = verify_entry({"*"}, {attestor_set({attestor})});
  entry.repository = "127.0.0.1:5000/elsewhere";
  CHECK(only_result(validate(one_policy(pod_policy({entry})), registry)).status == RuleStatus::Pass);
}

TEST_CASE("no signatures in an overriding repository says where", "[policy][engine][repository]") {
  FakeRegistry registry;
  auto entry = verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})});
  entry.repository = "127.0.0.1:5000/signatures";
  const auto d = validate(one_policy(pod_policy({entry})), registry);
  CHECK(only_result(d).message == "no signatures found in 127.0.0.1:5000/signatures");
}

TEST_CASE("a Deployment's pod template is verified by a Pod rule (autogen)", "[policy][engine][autogen]") {
  auto registry = registry_signed_by({});
  auto request = pod_request();
  request.kind = "Deployment";
  request.group = "apps";
  std::vector<ImageUse> images = {{kPinned, "/spec/template/spec/containers/0/image", "app", "containers"}};
  const auto d =
      run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), request, images, Mode::Validate, registry);
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).message == "no signatures found");
}

TEST_CASE("a namespaced Policy verifies only in its own namespace", "[policy][engine]") {
  auto registry = registry_signed_by({});
  auto policy = pod_policy({verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})})});
  policy.kind = PolicyKind::Policy;
  policy.namespace_name = "team-a";
  const auto set = one_policy(policy);
  const auto inside = run(set, pod_request("team-a"), images_of({kPinned}), Mode::Validate, registry);
  CHECK_FALSE(inside.allowed);
  CHECK(only_result(inside).policy == "team-a/check-signatures");
  const auto outside = run(set, pod_request("team-b"), images_of({kPinned}), Mode::Validate, registry);
  CHECK(outside.allowed);
  CHECK(outside.results.empty());
}

TEST_CASE("DELETE and CONNECT verify nothing", "[policy][engine]") {
  auto registry = registry_signed_by({});
  auto request = pod_request();
  for (const char* operation : {"DELETE", "CONNECT"}) {
    request.operation = operation;
    const auto d = run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), request, images_of({kPinned}),
                       Mode::Validate, registry);
    CHECK(d.allowed);
    CHECK(d.results.empty());
  }
  CHECK(registry.signature_requests.empty());
}

TEST_CASE("several images and policies give one result each, in image order", "[policy][engine]") {
  auto registry = registry_signed_by({&key_a()});
  registry.sign("127.0.0.1:5000/other", kDigestV2,
                signature_by(key_b(), payload_for("127.0.0.1:5000/other", kDigestV2)));
  PolicySet set;
  set.policies.push_back(pod_policy({verify_entry({"127.0.0.1:5000/*"}, {attestor_set({key_attestor({&key_a()})})})},
                                    FailureAction::Enforce, "first"));
  set.policies.push_back(pod_policy({verify_entry({"*/other*"}, {attestor_set({key_attestor({&key_b()})})})},
                                    FailureAction::Enforce, "second"));
  const auto d = validate(set, registry, {kPinned, "127.0.0.1:5000/other@" + kDigestV2, "busybox@" + kDigestV1});
  REQUIRE(d.results.size() == 3);
  CHECK(d.results[0].image == kPinned);
  CHECK(d.results[0].status == RuleStatus::Pass);
  CHECK(d.results[1].policy == "first");
  CHECK(d.results[1].status == RuleStatus::Fail);  // signed by key_b only
  CHECK(d.results[2].policy == "second");
  CHECK(d.results[2].status == RuleStatus::Pass);
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.message, Catch::Contains("denied by policy first"));
}

TEST_CASE("a deadline already passed makes verification an Error", "[policy][engine][deadline]") {
  auto registry = registry_signed_by({&key_a()});
  const auto d = run(keyed_policy({attestor_set({key_attestor({&key_a()})})}), pod_request(), images_of({kPinned}),
                     Mode::Validate, registry, oci::Clock::now() - std::chrono::seconds(1));
  CHECK_FALSE(d.allowed);
  CHECK(only_result(d).status == RuleStatus::Error);
  CHECK(only_result(d).message == "verification timed out");
}

TEST_CASE("timed_out denies under Enforce and allows with a warning under Audit", "[policy][engine][deadline]") {
  PolicySet set;
  set.policies.push_back(pod_policy({verify_entry({"127.0.0.1:5000/*"}, {attestor_set({key_attestor({&key_a()})})})},
                                    FailureAction::Enforce, "strict"));
  set.policies.push_back(
      pod_policy({verify_entry({"*"}, {attestor_set({key_attestor({&key_a()})})})}, FailureAction::Audit, "lenient"));
  const auto both = timed_out(set, pod_request(), images_of({kPinned}), Mode::Validate);
  CHECK_FALSE(both.allowed);
  CHECK_THAT(both.message, Catch::Contains("image " + kPinned +
                                           " denied by policy strict rule verify-cosign: verification timed out"));
  CHECK(both.warnings.size() == 1);

  const auto audit_only = timed_out(set, pod_request(), images_of({"ghcr.io/x/y@" + kDigestV1}), Mode::Mutate);
  CHECK(audit_only.allowed);
  CHECK(audit_only.warnings.size() == 1);
  CHECK(audit_only.patch.empty());

  const auto nothing = timed_out(set, pod_request(), {}, Mode::Validate);
  CHECK(nothing.allowed);
  CHECK(nothing.results.empty());
}
