// Kyverno's own signed-manifest tests (signatures made by Kyverno's maintainers): signet's verdict on
// each resource equals Kyverno's. The chainsaw resources are first given what the API server adds on
// create (namespace, uid, Service and Deployment defaults), as Kyverno sees them in a cluster.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "manifest_test_support.hpp"

namespace signet::policy::testing {
namespace {

const std::filesystem::path kVectors = std::filesystem::path(SIGNET_VECTORS_DIR) / "kyverno-manifests" / "test";

// The vectors live beside the project, not in it: a clone without them skips these tests, saying so.
bool vectors_present() {
  if (std::filesystem::is_directory(kVectors)) return true;
  WARN("skipped: no Kyverno signed-manifest vectors under " << kVectors.string());
  return false;
}

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

PolicySet policies_in(const std::filesystem::path& file) {
  LoadReport report = load_policies(file);
  for (const auto& error : report.errors) UNSCOPED_INFO(error.to_string());
  REQUIRE(report.errors.empty());
  return PolicySet::of(std::move(report.accepted));
}

// `object` with `value` at `path`, objects made on the way; an existing value is kept.
json::Value with(const json::Value& object, std::vector<std::string> path, const json::Value& value) {
  json::Object members = object.is_object() ? object.as_object() : json::Object{};
  const std::string key = path.front();
  path.erase(path.begin());
  for (auto& [name, item] : members) {
    if (name != key) continue;
    if (!path.empty()) item = with(item, path, value);
    return json::Value(members);
  }
  members.emplace_back(key, path.empty() ? value : with(json::Value(), path, value));
  return json::Value(members);
}

json::Value str(std::string_view text) { return json::Value(std::string(text)); }
json::Value list(std::initializer_list<json::Value> items) { return json::Value(json::Array(items)); }

// What the API server adds when a resource is created.
json::Value as_created(json::Value object) {
  object = with(object, {"metadata", "namespace"}, str("default"));
  object = with(object, {"metadata", "uid"}, str("2b0bd6b7-27d4-4b5a-9c6e-0f8f0c0b3c1e"));
  object = with(object, {"metadata", "resourceVersion"}, str("4711"));
  object = with(object, {"metadata", "creationTimestamp"}, str("2024-05-01T10:00:00Z"));
  object = with(object, {"metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"}, str("{}"));
  object = with(object, {"metadata", "managedFields"},
                list({json::Value(json::Object{{"manager", str("kubectl-client-side-apply")}})}));
  const std::string kind = object.find("kind")->as_string();
  if (kind == "Service") {
    object = with(object, {"spec", "clusterIP"}, str("10.96.12.7"));
    object = with(object, {"spec", "clusterIPs"}, list({str("10.96.12.7")}));
    object = with(object, {"spec", "type"}, str("ClusterIP"));
    object = with(object, {"spec", "sessionAffinity"}, str("None"));
    object = with(object, {"spec", "ipFamilies"}, list({str("IPv4")}));
    object = with(object, {"spec", "ipFamilyPolicy"}, str("SingleStack"));
    object = with(object, {"spec", "internalTrafficPolicy"}, str("Cluster"));
  }
  if (kind == "Deployment") {
    object = with(object, {"metadata", "generation"}, json::Value(1));
    object = with(object, {"spec", "progressDeadlineSeconds"}, json::Value(600));
    object = with(object, {"spec", "revisionHistoryLimit"}, json::Value(10));
    object = with(object, {"spec", "strategy", "type"}, str("RollingUpdate"));
    object = with(object, {"spec", "template", "spec", "dnsPolicy"}, str("ClusterFirst"));
    object = with(object, {"spec", "template", "spec", "restartPolicy"}, str("Always"));
    object = with(object, {"spec", "template", "spec", "schedulerName"}, str("default-scheduler"));
    object = with(object, {"spec", "template", "spec", "terminationGracePeriodSeconds"}, json::Value(30));
    object = with(object, {"status"}, json::Value(json::Object{{"replicas", json::Value(1)}}));
  }
  return object;
}

std::vector<json::Value> objects_in(const std::filesystem::path& file) {
  std::vector<json::Value> out;
  for (const auto& node : YAML::LoadAll(read(file))) {
    loader::Problems problems;
    auto value = loader::Field::root(node, 0, problems).to_json();
    if (value.is_object()) out.push_back(std::move(value));
  }
  return out;
}

std::string name_of(const json::Value& object) { return object.find("metadata")->find("name")->as_string(); }

// The decision for `object` under `policies`: allowed or not.
bool admitted(const PolicySet& policies, const json::Value& object) {
  const auto results = evaluate_manifest_rules(policies, request_for(object));
  REQUIRE_FALSE(results.empty());
  for (const auto& result : results) {
    INFO(result.rule << ": " << result.message);
    if (result.status != RuleStatus::Pass && result.enforce) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("Kyverno CLI test verify-signature: each expected result", "[manifest][vectors]") {
  if (!vectors_present()) return;
  const auto folder = kVectors / "cli" / "test" / "manifests" / "verify-signature";
  const auto policies = policies_in(folder / "policies.yaml");
  std::map<std::string, json::Value> resources;
  for (auto& object : objects_in(folder / "resources.yaml")) resources.emplace(name_of(object), object);
  const YAML::Node test = YAML::LoadFile((folder / "kyverno-test.yaml").string());
  int checked = 0;
  for (const auto& expected : test["results"]) {
    const std::string rule = expected["rule"].as<std::string>();
    const std::string want = expected["result"].as<std::string>();
    for (const auto& name : expected["resources"]) {
      auto results = evaluate_manifest_rules(policies, request_for(resources.at(name.as<std::string>())));
      bool found = false;
      for (const auto& result : results) {
        if (result.rule != rule) continue;
        found = true;
        INFO(name.as<std::string>() << " " << rule << ": " << result.message);
        CHECK(to_string(result.status) == want);
        ++checked;
      }
      CHECK(found);
    }
  }
  CHECK(checked == 3);
}

TEST_CASE("Kyverno chainsaw verify-manifests: verdicts on created resources", "[manifest][vectors]") {
  if (!vectors_present()) return;
  struct Case {
    std::string folder;
    bool one_signature_admitted;
  };
  for (const Case& test : {Case{"single-signature", true}, Case{"single-signature(deprecated)", true},
                           Case{"multi-signatures", false}, Case{"multi-signatures(deprecated)", false}}) {
    INFO(test.folder);
    const auto folder = kVectors / "conformance" / "chainsaw" / "verify-manifests" / test.folder;
    const auto policies = policies_in(folder / "policy.yaml");
    auto object = [&](const char* file) { return as_created(objects_in(folder / file).front()); };
    CHECK_FALSE(admitted(policies, object("resource-no-signature.yaml")));
    CHECK(admitted(policies, object("resource-one-signature.yaml")) == test.one_signature_admitted);
    CHECK(admitted(policies, object("resource-two-signatures.yaml")));
    CHECK_FALSE(admitted(policies, object("resource-bad-signatures.yaml")));
  }
}

TEST_CASE("Kyverno chainsaw yaml-signing: a signed Deployment with its defaults passes, an unsigned one fails",
          "[manifest][vectors]") {
  if (!vectors_present()) return;
  const auto folder = kVectors / "conformance" / "chainsaw" / "validate" / "e2e" / "yaml-signing";
  const auto policies = policies_in(folder / "policy.yaml");
  CHECK(admitted(policies, as_created(objects_in(folder / "chainsaw-step-02-apply-1-1.yaml").front())));
  CHECK_FALSE(admitted(policies, as_created(objects_in(folder / "bad.yaml").front())));
}

}  // namespace signet::policy::testing
