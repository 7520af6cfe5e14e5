#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <functional>

#include "manifest_test_support.hpp"
#include "policy/decision.hpp"
#include "test/unit/oci/test_registry.hpp"

namespace signet::policy::testing {
namespace {

const TestKey& dry_run_signer() {
  static const TestKey key = TestKey::make();
  return key;
}

constexpr std::string_view kDeployment =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web\n"
    "  namespace: shop\n"
    "spec:\n"
    "  selector:\n"
    "    matchLabels:\n"
    "      app: web\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        app: web\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: web\n"
    "        image: nginx:1.27\n";

// `object` with `key: value` first in its `spec`.
json::Value with_spec_member(const json::Value& object, const std::string& key, json::Value value) {
  json::Object out;
  for (const auto& [name, item] : object.as_object()) {
    if (name != "spec") {
      out.emplace_back(name, item);
      continue;
    }
    json::Object spec{{key, std::move(value)}};
    for (const auto& member : item.as_object()) spec.push_back(member);
    out.emplace_back(name, json::Value(std::move(spec)));
  }
  return json::Value(std::move(out));
}

// A DryRunner that answers what `answer` makes of the object sent, and remembers the requests.
class FakeDryRunner final : public DryRunner {
 public:
  explicit FakeDryRunner(std::function<Result<json::Value>(const json::Value&)> answer) : answer_(std::move(answer)) {}

  boost::asio::awaitable<Result<json::Value>> create(const json::Value& object, const std::string& namespace_name,
                                                     oci::Deadline) override {
    sent.push_back(object);
    namespaces.push_back(namespace_name);
    co_return answer_(object);
  }

  std::vector<json::Value> sent;
  std::vector<std::string> namespaces;

 private:
  std::function<Result<json::Value>(const json::Value&)> answer_;
};

// The API server's defaulting, as far as this test needs it: spec.replicas 1.
FakeDryRunner defaulting() {
  return FakeDryRunner([](const json::Value& object) -> Result<json::Value> {
    return with_spec_member(object, "replicas", json::Value(1));
  });
}

const DryRunSettings kSettings{"signet-dryrun", "signet"};

PolicySet dry_run_policies(std::string_view extra = "dryRun:\n  enable: true\n") {
  return PolicySet::of(
      {load_one(manifest_policy(key_set({&dry_run_signer()}), extra, "Enforce", "[Deployment]"), &kSettings)});
}

// The admitted object: the signed manifest as the API server sends it, with spec.replicas set to `replicas`.
json::Value admitted(int replicas) {
  return with_spec_member(object_of(sign(kDeployment, dry_run_signer())), "replicas", json::Value(replicas));
}

RuleResult dry_run_result(const PolicySet& policies, const json::Value& object, DryRunner* runner) {
  boost::asio::io_context io;
  const AdmissionRequest request = request_for(object);  // outlives the coroutine, which keeps a reference
  auto results = test::run_until_done(
      io, evaluate_manifest_rules(policies, request, runner, oci::Clock::now() + std::chrono::seconds(5)));
  REQUIRE(results.size() == 1);
  INFO(results.front().message);
  return results.front();
}

}  // namespace

TEST_CASE("a difference only the API server's defaults make passes with dryRun and fails without",
          "[manifest][dryrun]") {
  FakeDryRunner runner = defaulting();
  const auto with_dry_run = dry_run_result(dry_run_policies(), admitted(1), &runner);
  CHECK(with_dry_run.status == RuleStatus::Pass);
  REQUIRE(runner.sent.size() == 1);
  // Sent renamed and without a namespace, into the dry-run namespace.
  CHECK(runner.namespaces.front() == "signet-dryrun");
  const json::Value* metadata = runner.sent.front().find("metadata");
  REQUIRE(metadata != nullptr);
  CHECK(metadata->find("name")->as_string() == "web-dry-run");
  CHECK(metadata->find("namespace") == nullptr);

  const auto without = dry_run_result(dry_run_policies("dryRun:\n  enable: false\n"), admitted(1), &runner);
  CHECK(without.status == RuleStatus::Fail);
  CHECK_THAT(without.message, Catch::Contains("spec.replicas (admitted 1, absent when signed)"));
  CHECK(runner.sent.size() == 1);
}

TEST_CASE("a matching object needs no dry-run", "[manifest][dryrun]") {
  FakeDryRunner runner = defaulting();
  const auto result = dry_run_result(dry_run_policies(), object_of(sign(kDeployment, dry_run_signer())), &runner);
  CHECK(result.status == RuleStatus::Pass);
  CHECK(runner.sent.empty());
}

TEST_CASE("a real change fails with dryRun too, naming the field against the dry-run", "[manifest][dryrun]") {
  FakeDryRunner runner = defaulting();
  const auto result = dry_run_result(dry_run_policies(), admitted(3), &runner);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("as the API server creates it (dry-run in namespace signet-dryrun)"));
  CHECK_THAT(result.message, Catch::Contains("spec.replicas (signed 1, admitted 3)"));
  CHECK_FALSE(decide({result}, {}, Mode::Validate).allowed);
}

TEST_CASE("the name and namespace still count after a dry-run", "[manifest][dryrun]") {
  FakeDryRunner runner = defaulting();
  const json::Value renamed =
      object_of(replaced(sign(kDeployment, dry_run_signer()), "  name: \"web\"\n", "  name: \"evil\"\n"));
  const auto result =
      dry_run_result(dry_run_policies(), with_spec_member(renamed, "replicas", json::Value(1)), &runner);
  CHECK(result.status == RuleStatus::Fail);
  CHECK_THAT(result.message, Catch::Contains("metadata.name (signed \"web\", admitted \"evil\")"));
}

TEST_CASE("a failed dry-run is a rule error naming the cause, and denies under Enforce", "[manifest][dryrun]") {
  FakeDryRunner forbidden([](const json::Value&) -> Result<json::Value> {
    return Error::invalid(
        "the Kubernetes API server forbids signet to create deployments.apps in namespace "
        "signet-dryrun (dry-run) (403 Forbidden)");
  });
  const auto result = dry_run_result(dry_run_policies(), admitted(1), &forbidden);
  CHECK(result.status == RuleStatus::Error);
  CHECK_THAT(result.message, Catch::Contains("spec.replicas"));
  CHECK_THAT(result.message, Catch::Contains("403 Forbidden"));
  CHECK_FALSE(decide({result}, {}, Mode::Validate).allowed);
}

TEST_CASE("an unsigned or wrongly signed manifest is never sent to the API server", "[manifest][dryrun]") {
  FakeDryRunner runner = defaulting();
  const json::Value tampered = object_of(replaced(
      sign(kDeployment, dry_run_signer()), "cosign.sigstore.dev/signature: \"", "cosign.sigstore.dev/signature: \"AA"));
  const auto result =
      dry_run_result(dry_run_policies(), with_spec_member(tampered, "replicas", json::Value(1)), &runner);
  CHECK(result.status == RuleStatus::Fail);
  CHECK(runner.sent.empty());
}

TEST_CASE("without an API client a dryRun rule whose object differs is an error, not a pass", "[manifest][dryrun]") {
  const auto results = evaluate_manifest_rules(dry_run_policies(), request_for(admitted(1)));
  REQUIRE(results.size() == 1);
  CHECK(results.front().status == RuleStatus::Error);
  CHECK_THAT(results.front().message, Catch::Contains("dry-run of dryRun.enable was not made"));
}

TEST_CASE("a CustomResourceDefinition is created under simulated names, compared under its own", "[manifest][dryrun]") {
  const json::Value crd = object_of(
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n"
      "spec:\n  group: example.com\n  names:\n    kind: Widget\n    plural: widgets\n");
  const json::Value sent = manifest::dry_run_object(crd);
  CHECK(
      json::to_json(sent) ==
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":)"
      R"("simwidgets.example.com"},"spec":{"group":"example.com","names":{"kind":"SimWidget","plural":"simwidgets"}}})");
  const json::Value answer = object_of(
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: simwidgets.example.com\n"
      "spec:\n  group: example.com\n  names:\n    kind: SimWidget\n    listKind: SimWidgetList\n    plural: "
      "simwidgets\n"
      "    singular: simwidget\n");
  CHECK(json::to_json(manifest::as_signed(answer, crd)) ==
        R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":)"
        R"("widgets.example.com"},"spec":{"group":"example.com","names":{"kind":"Widget","listKind":"WidgetList",)"
        R"("plural":"widgets","singular":"widget"}}})");
}

}  // namespace signet::policy::testing
