#include <catch2/catch.hpp>

#include "manifest_test_support.hpp"
#include "policy/manifests/diff.hpp"
#include "policy/manifests/ignore.hpp"

namespace signet::policy::manifest {

using testing::object_of;

TEST_CASE("flatten gives dotted leaf paths and drops empty containers", "[manifest][diff]") {
  const auto leaves = flatten(object_of("a:\n  b: [1, {c: x}]\n  e: {}\n  f: []\n  g: null\n"));
  CHECK(leaves.size() == 2);
  CHECK(leaves.at("a.b.0") == json::Value(1));
  CHECK(leaves.at("a.b.1.c") == json::Value(std::string("x")));
}

TEST_CASE("an ignored field covers the paths that contain it", "[manifest][diff]") {
  CHECK(covers("status", "status.phase"));
  CHECK(covers("metadata.managedFields.*", "metadata.managedFields.0.manager"));
  CHECK(covers("spec.containers.*.imagePullPolicy", "spec.template.spec.containers.3.imagePullPolicy"));
  CHECK(covers("metadata.annotations.cosign.sigstore.dev/signature",
               "metadata.annotations.cosign.sigstore.dev/signature_1"));
  CHECK_FALSE(covers("spec.replicas", "spec.template.spec.containers.0.image"));
  CHECK_FALSE(covers("spec.containers.*.imagePullPolicy", "spec.containers.0.image"));
}

TEST_CASE("differences list changed, added and removed paths, sorted", "[manifest][diff]") {
  const auto signed_doc = object_of("spec:\n  replicas: 1\n  paused: false\n  name: a\n");
  const auto admitted = object_of("spec:\n  replicas: 3\n  name: a\n  extra: yes\n");
  const auto found = differences(signed_doc, admitted, {});
  REQUIRE(found.size() == 3);
  CHECK(found[0].path == "spec.extra");
  CHECK_FALSE(found[0].signed_);
  CHECK(found[1].path == "spec.paused");
  CHECK_FALSE(found[1].admitted);
  CHECK(found[2].path == "spec.replicas");
  const std::string text = describe(found);
  CHECK_THAT(text, Catch::Contains("spec.replicas (signed 1, admitted 3)"));
  CHECK_THAT(text, Catch::Contains("spec.paused"));
  CHECK(differences(signed_doc, admitted, {"spec.extra", "spec.paused", "spec.replicas"}).empty());
}

TEST_CASE("a value's type counts: the string \"80\" is not the number 80", "[manifest][diff]") {
  CHECK(differences(object_of("port: 80\n"), object_of("port: \"80\"\n"), {}).size() == 1);
}

TEST_CASE("images a webhook only spelled out in full are not differences", "[manifest][diff]") {
  CHECK(differences(object_of("image: nginx:1.25\n"), object_of("image: docker.io/nginx:1.25\n"), {}).empty());
  CHECK(differences(object_of("image: ubuntu\n"), object_of("image: ubuntu:latest\n"), {}).empty());
  CHECK(differences(object_of("image: nginx:1.25\n"), object_of("image: evil.io/nginx:1.25\n"), {}).size() == 1);
}

TEST_CASE("describe keeps the diff short", "[manifest][diff]") {
  std::string many;
  for (int i = 0; i < 20; ++i) many += "k" + std::to_string(10 + i) + ": " + std::to_string(i) + "\n";
  const std::string text = describe(differences(object_of("{}"), object_of(many), {}), 3);
  CHECK_THAT(text, Catch::EndsWith("and 17 more"));
}

TEST_CASE("object selectors use k8s-manifest-sigstore's patterns", "[manifest][ignore]") {
  const ObjectReference object{"apps", "v1", "Deployment", "web-1", "shop"};
  CHECK(selects({"", "", "Deployment", "", ""}, object));
  CHECK(selects({"apps", "v1", "*", "web-*", "shop"}, object));
  CHECK(selects({"", "", "Service, Deployment", "", ""}, object));
  CHECK_FALSE(selects({"", "", "Deployment", "", "prod"}, object));
  CHECK_FALSE(selects({"batch", "", "", "", ""}, object));
  CHECK(matches_pattern("-", ""));
  CHECK_FALSE(matches_pattern("-", "x"));
}

TEST_CASE("ignored fields depend on the object's kind", "[manifest][ignore]") {
  ManifestValidation rule;
  const auto service = ignored_fields({"", "v1", "Service", "s", "n"}, rule);
  const auto config_map = ignored_fields({"", "v1", "ConfigMap", "c", "n"}, rule);
  auto has = [](const std::vector<std::string>& fields, std::string_view field) {
    return std::find(fields.begin(), fields.end(), field) != fields.end();
  };
  CHECK(has(service, "spec.clusterIP"));
  CHECK_FALSE(has(config_map, "spec.clusterIP"));
  CHECK(has(config_map, "metadata.uid"));
  CHECK(has(config_map, "metadata.annotations.cosign.sigstore.dev/signature"));
}

}  // namespace signet::policy::manifest
