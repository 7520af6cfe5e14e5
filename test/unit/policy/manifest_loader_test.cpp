#include <catch2/catch.hpp>

#include "manifest_test_support.hpp"

namespace signet::policy::testing {
namespace {

const TestKey& key() {
  static const TestKey k = TestKey::make();
  return k;
}

}  // namespace

TEST_CASE("validate.manifests rules are loaded with their options", "[manifest][loader]") {
  const std::string extra =
      "annotationDomain: example.com\n"
      "dryRun:\n"
      "  enable: false\n"
      "ignoreFields:\n"
      "- objects:\n"
      "  - kind: Deployment\n"
      "    group: apps\n"
      "    version: v1\n"
      "    namespace: shop\n"
      "  fields:\n"
      "  - spec.replicas\n";
  const Policy policy = load_one(manifest_policy(key_set({&key()}, 1), extra, "Audit"));
  REQUIRE(policy.rules.size() == 1);
  const Rule& rule = policy.rules.front();
  REQUIRE(rule.manifests);
  CHECK(rule.verify_images.empty());
  CHECK(rule.manifests->annotation_domain == "example.com");
  REQUIRE(rule.manifests->attestors.size() == 1);
  CHECK(rule.manifests->attestors.front().count == 1);
  REQUIRE(rule.manifests->ignore_fields.size() == 1);
  CHECK(rule.manifests->ignore_fields.front().fields == std::vector<std::string>{"spec.replicas"});
  CHECK(rule.manifests->ignore_fields.front().objects.front().namespace_name == "shop");
  CHECK(policy.failure_action_of(rule) == FailureAction::Audit);
}

TEST_CASE("validate.failureAction overrides the policy's action for a manifests rule", "[manifest][loader]") {
  std::string yaml = manifest_policy(key_set({&key()}));
  yaml = replaced(yaml, "  background: false\n", "  background: false\n  validationFailureAction: Audit\n");
  const Policy policy = load_one(yaml);
  CHECK(policy.failure_action_of(policy.rules.front()) == FailureAction::Enforce);
  const Policy defaulted = load_one(replaced(yaml, "      failureAction: Enforce\n", ""));
  CHECK(defaulted.failure_action_of(defaulted.rules.front()) == FailureAction::Audit);
}

TEST_CASE("dryRun.enable is refused without an API client for it, naming the flag", "[manifest][loader]") {
  const auto error = refusal_of(manifest_policy(key_set({&key()}), "dryRun:\n  enable: true\n"));
  CHECK(error.field_path == "spec.rules[0].validate.manifests.dryRun.enable");
  CHECK_THAT(error.message, Catch::Contains("--kube-dry-run"));
}

TEST_CASE("dryRun takes its namespace from the rule, else signet's default, never signet's own",
          "[manifest][loader]") {
  const DryRunSettings settings{"signet-dryrun", "signet"};
  const Policy defaulted = load_one(manifest_policy(key_set({&key()}), "dryRun:\n  enable: true\n"), &settings);
  CHECK(defaulted.rules.front().manifests->dry_run_namespace == "signet-dryrun");
  const Policy named =
      load_one(manifest_policy(key_set({&key()}), "dryRun:\n  enable: true\n  namespace: checks\n"), &settings);
  CHECK(named.rules.front().manifests->dry_run_namespace == "checks");
  const Policy disabled = load_one(manifest_policy(key_set({&key()}), "dryRun:\n  enable: false\n"), &settings);
  CHECK_FALSE(disabled.rules.front().manifests->dry_run_namespace);
  const auto own =
      refusal_of(manifest_policy(key_set({&key()}), "dryRun:\n  enable: true\n  namespace: signet\n"), &settings);
  CHECK(own.field_path == "spec.rules[0].validate.manifests.dryRun.namespace");
  CHECK_THAT(own.message, Catch::Contains("signet's own namespace"));
}

TEST_CASE("keyless and certificate attestors are refused for manifests", "[manifest][loader]") {
  const auto keyless = refusal_of(manifest_policy("- entries:\n  - keyless:\n      subject: a@b.c\n"));
  CHECK_THAT(keyless.message, Catch::Contains("not supported by signet yet"));
  const auto nested =
      refusal_of(manifest_policy("- entries:\n  - attestor:\n      entries:\n      - keyless:\n          subject: a@b.c\n"));
  CHECK_THAT(nested.message, Catch::Contains("not supported by signet yet"));
}

TEST_CASE("manifests rules without attestors or with unknown fields are refused", "[manifest][loader]") {
  auto no_attestors = manifest_policy("[]\n");
  CHECK_THAT(refusal_of(no_attestors).message, Catch::Contains("attestors is required"));
  CHECK_THAT(refusal_of(manifest_policy(key_set({&key()}), "repository: ghcr.io/a/b\n")).message,
             Catch::Contains("not supported by signet yet"));
  CHECK(refusal_of(manifest_policy(key_set({&key()}), "ignorefields: []\n")).field_path ==
        "spec.rules[0].validate.manifests.ignorefields");
}

}  // namespace signet::policy::testing
