#include <catch2/catch.hpp>

#include "manifest_test_support.hpp"
#include "policy/decision.hpp"

namespace signet::policy::testing {
namespace {

const TestKey& alice() {
  static const TestKey key = TestKey::make();
  return key;
}
const TestKey& bob() {
  static const TestKey key = TestKey::make();
  return key;
}

}  // namespace

TEST_CASE("a manifest signed by signet sign-manifest passes", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const auto result = manifest_result(policies, object_of(sign(kService, alice())));
  CHECK(result.status == RuleStatus::Pass);
  CHECK(result.manifest);
  CHECK(result.image == "Service/shop/web");
}

TEST_CASE("one changed field fails naming the field", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const auto tampered = replaced(sign(kService, alice()), "app: \"web\"", "app: \"attacker\"");
  const auto result = manifest_result(policies, object_of(tampered));
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("spec.selector.app"));
  CHECK_THAT(result.message, Catch::Contains("\"attacker\""));
  const auto decision = decide({result}, {}, Mode::Validate);
  CHECK_FALSE(decision.allowed);
  CHECK_THAT(decision.message, Catch::StartsWith("resource Service/shop/web denied by policy signed-yaml"));
}

TEST_CASE("an added field fails naming it", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const auto tampered =
      replaced(sign(kService, alice()), "  selector:\n", "  externalName: \"evil.example\"\n  selector:\n");
  const auto result = manifest_result(policies, object_of(tampered));
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("spec.externalName"));
}

TEST_CASE("a field the policy ignores may change", "[manifest][verify]") {
  const std::string ignore =
      "ignoreFields:\n"
      "- objects:\n"
      "  - kind: Service\n"
      "    name: web*\n"
      "  fields:\n"
      "  - spec.selector.app\n";
  const auto tampered = [] { return replaced(sign(kService, alice()), "app: \"web\"", "app: \"other\""); };
  CHECK(manifest_result(set_of(manifest_policy(key_set({&alice()}), ignore)), object_of(tampered())).status ==
        RuleStatus::Pass);
  // The same field under a selector naming another object still counts.
  const std::string elsewhere = replaced(ignore, "name: web*", "name: db");
  CHECK(manifest_result(set_of(manifest_policy(key_set({&alice()}), elsewhere)), object_of(tampered())).status ==
        RuleStatus::Fail);
}

TEST_CASE("fields Kubernetes fills in are ignored", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  std::string admitted = sign(kService, alice());
  admitted = replaced(
      admitted, "  name: \"web\"\n",
      "  name: \"web\"\n  uid: \"0c3e\"\n  resourceVersion: \"17\"\n  creationTimestamp: \"2024-01-01T00:00:00Z\"\n"
      "  managedFields:\n  - manager: \"kubectl\"\n");
  admitted = replaced(admitted, "spec:\n",
                      "spec:\n  clusterIP: \"10.0.0.7\"\n  clusterIPs:\n  - \"10.0.0.7\"\n  type: \"ClusterIP\"\n"
                      "  sessionAffinity: \"None\"\n  ipFamilies:\n  - \"IPv4\"\n  ipFamilyPolicy: \"SingleStack\"\n"
                      "  internalTrafficPolicy: \"Cluster\"\n");
  admitted += "status:\n  loadBalancer: {}\n";
  CHECK(manifest_result(policies, object_of(admitted)).status == RuleStatus::Pass);
}

TEST_CASE("a Deployment whose controller added defaults passes", "[manifest][verify]") {
  const std::string deployment =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n"
      "  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n"
      "    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        ports:\n"
      "        - containerPort: 80\n";
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  std::string admitted = sign(deployment, alice());
  admitted = replaced(admitted, "  replicas: 2\n",
                      "  replicas: 2\n  progressDeadlineSeconds: 600\n  revisionHistoryLimit: 10\n  strategy:\n"
                      "    type: \"RollingUpdate\"\n    rollingUpdate:\n      maxSurge: \"25%\"\n");
  admitted = replaced(admitted, "        image: \"nginx:1.25\"\n",
                      "        image: \"nginx:1.25\"\n        imagePullPolicy: \"IfNotPresent\"\n"
                      "        terminationMessagePath: \"/dev/termination-log\"\n"
                      "        terminationMessagePolicy: \"File\"\n        resources: {}\n");
  admitted = replaced(admitted, "        - containerPort: 80\n",
                      "        - containerPort: 80\n          protocol: \"TCP\"\n      dnsPolicy: \"ClusterFirst\"\n"
                      "      restartPolicy: \"Always\"\n      schedulerName: \"default-scheduler\"\n"
                      "      securityContext: {}\n      terminationGracePeriodSeconds: 30\n");
  admitted += "status:\n  replicas: 2\n";
  CHECK(manifest_result(policies, object_of(admitted)).status == RuleStatus::Pass);
  // A changed image in the template is not a default.
  const auto swapped = replaced(admitted, "image: \"nginx:1.25\"", "image: \"evil:1\"");
  const auto result = manifest_result(policies, object_of(swapped));
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("spec.template.spec.containers.0.image"));
}

TEST_CASE("a resource without a signature fails with no signature found", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const auto result = manifest_result(policies, object_of(kService));
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("no signature found"));
  // A message without any signature annotation is not signed either.
  const auto unsigned_message =
      replaced(sign(kService, alice()), "    cosign.sigstore.dev/signature:", "    cosign.sigstore.dev/unrelated:");
  const auto again = manifest_result(policies, object_of(unsigned_message));
  CHECK(again.status == RuleStatus::Fail);
  CHECK_THAT(again.message, Catch::Contains("no signature found"));
}

TEST_CASE("a signature by another key fails", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const auto result = manifest_result(policies, object_of(sign(kService, bob())));
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("does not verify"));
}

TEST_CASE("a corrupted signature fails", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  std::string signed_copy = sign(kService, alice());
  const auto at = signed_copy.find("cosign.sigstore.dev/signature: \"") + 40;
  signed_copy[at] = signed_copy[at] == 'A' ? 'B' : 'A';
  CHECK(manifest_result(policies, object_of(signed_copy)).status == RuleStatus::Fail);
}

TEST_CASE("count 2 needs both signers", "[manifest][verify][count]") {
  const auto policies = set_of(manifest_policy(key_set({&alice(), &bob()}, 2)));
  const std::string once = sign(kService, alice());
  const auto one = manifest_result(policies, object_of(once));
  CHECK(one.status == RuleStatus::Fail);
  CHECK_THAT(one.message, Catch::Contains("1 of 2"));
  const std::string twice = sign(once, bob(), 1);
  CHECK_THAT(twice, Catch::Contains("cosign.sigstore.dev/signature_1"));
  CHECK(manifest_result(policies, object_of(twice)).status == RuleStatus::Pass);
  // Without count, every entry is required too.
  CHECK(manifest_result(set_of(manifest_policy(key_set({&alice(), &bob()}))), object_of(once)).status ==
        RuleStatus::Fail);
  CHECK(manifest_result(set_of(manifest_policy(key_set({&alice(), &bob()}, 1))), object_of(once)).status ==
        RuleStatus::Pass);
}

TEST_CASE("a custom annotationDomain is where signatures are read", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()}), "annotationDomain: signing.example.com\n"));
  CHECK(manifest_result(policies, object_of(sign(kService, alice(), 0, "signing.example.com"))).status ==
        RuleStatus::Pass);
  const auto result = manifest_result(policies, object_of(sign(kService, alice())));
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("signing.example.com/message"));
}

TEST_CASE("a message holding several documents matches the one of the object's kind and name", "[manifest][verify]") {
  const std::string file = std::string(kService) +
                           "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n";
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const std::string signed_file = sign(file, alice());
  const auto second = signed_file.find("---\n");
  REQUIRE(second != std::string::npos);
  CHECK(manifest_result(policies, object_of(signed_file.substr(0, second))).status == RuleStatus::Pass);
  const std::string config_map = signed_file.substr(second + 4);
  CHECK(manifest_result(policies, object_of(config_map)).status == RuleStatus::Pass);
  const auto changed = manifest_result(policies, object_of(replaced(config_map, "\"fast\"", "\"slow\"")));
  CHECK(changed.status == RuleStatus::Fail);
  CHECK_THAT(changed.message, Catch::Contains("data.mode"));
}

TEST_CASE("keyless certificate and bundle annotations are refused until keyless lands", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  const auto keyless = replaced(sign(kService, bob()), "  annotations:\n",
                                "  annotations:\n    cosign.sigstore.dev/certificate: \"H4sI\"\n");
  const auto result = manifest_result(policies, object_of(keyless));
  CHECK(result.status == RuleStatus::Error);
  CHECK_THAT(result.message, Catch::Contains("keyless"));
  CHECK_THAT(result.message, Catch::Contains("not verify yet"));
}

TEST_CASE("dry-run requests are allowed without verification", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()})));
  auto request = request_for(object_of(kService));
  request.dry_run = true;
  const auto results = evaluate_manifest_rules(policies, request);
  REQUIRE(results.size() == 1);
  CHECK(results.front().status == RuleStatus::Pass);
}

TEST_CASE("Audit failures warn and Enforce failures deny", "[manifest][verify]") {
  const auto audit = manifest_result(set_of(manifest_policy(key_set({&alice()}), {}, "Audit")), object_of(kService));
  CHECK(audit.status == RuleStatus::Fail);
  CHECK_FALSE(audit.enforce);
  const auto decision = decide({audit}, {}, Mode::Validate);
  CHECK(decision.allowed);
  REQUIRE(decision.warnings.size() == 1);
  const auto enforce = manifest_result(set_of(manifest_policy(key_set({&alice()}))), object_of(kService));
  CHECK(enforce.enforce);
}

TEST_CASE("manifest rules apply only to what they match, never on DELETE", "[manifest][verify]") {
  const auto policies = set_of(manifest_policy(key_set({&alice()}), {}, "Enforce", "[ConfigMap]"));
  CHECK(evaluate_manifest_rules(policies, request_for(object_of(kService))).empty());
  auto request = request_for(
      object_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\ndata:\n  a: b\n"));
  CHECK(evaluate_manifest_rules(policies, request).size() == 1);
  request.operation = "DELETE";
  CHECK(evaluate_manifest_rules(policies, request).empty());
}

}  // namespace signet::policy::testing
