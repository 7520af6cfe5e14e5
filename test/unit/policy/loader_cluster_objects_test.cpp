// k8s://namespace/name public keys and keys.secret resolved while policies load, through ClusterObjects.
#include <map>

#include <catch2/catch.hpp>

#include "policy/policy_set.hpp"
#include "test/unit/policy/loader_test_support.hpp"

namespace signet::policy {
namespace {

using testing::FakeCluster;
using testing::indent;
using testing::keyed_policy;
using testing::kKeyA;
using testing::kKeyB;
using testing::TempFolder;

std::string k8s_policy(const std::string& reference = "k8s://ci/cosign-key") {
  std::string yaml = keyed_policy();
  const std::string pem = indent(kKeyA, 14);
  yaml.replace(yaml.find(pem), pem.size(), "              " + reference + "\n");
  return yaml;
}

LoadReport load_with_keys(const std::string& yaml, ClusterObjects* keys) {
  TempFolder folder;
  folder.write("policy.yaml", yaml);
  return load_policies(folder.path(), keys);
}

const ImageVerification& entry_of(const LoadReport& report) {
  REQUIRE(report.errors.empty());
  REQUIRE(report.accepted.size() == 1);
  return report.accepted.front().rules.front().verify_images.front();
}

TEST_CASE("a k8s:// public key is the cosign.pub of the Secret it names", "[policy][loader][k8s]") {
  FakeCluster keys;
  keys.secrets["ci/cosign-key"] = {{"cosign.pub", std::string(kKeyA)}};
  const LoadReport report = load_with_keys(k8s_policy(), &keys);
  for (const auto& error : report.errors) UNSCOPED_INFO(error.to_string());
  const ImageVerification& entry = entry_of(report);
  const auto& attestor = entry.attestors.front().entries.front();
  REQUIRE(attestor.keys);
  REQUIRE(attestor.keys->public_keys.size() == 1);
  auto expected = crypto::PublicKey::from_pem(std::string(kKeyA));
  REQUIRE(expected.ok());
  CHECK(attestor.keys->public_keys.front().der() == expected->der());

  // The same key written inline verifies the same: the verdict fingerprint is the same too.
  const LoadReport inline_key = load_with_keys(keyed_policy(), nullptr);
  CHECK(entry_of(inline_key).fingerprint == entry.fingerprint);
}

TEST_CASE("a rotated k8s:// key changes the fingerprint and reloads the store", "[policy][loader][k8s]") {
  auto keys = std::make_shared<FakeCluster>();
  keys->secrets["ci/cosign-key"] = {{"cosign.pub", std::string(kKeyA)}};
  TempFolder folder;
  folder.write("policy.yaml", k8s_policy());
  PolicyStore store(folder.path(), keys);
  REQUIRE(store.reload(true));
  const std::string before = store.current()->policies.front().rules.front().verify_images.front().fingerprint;
  CHECK_FALSE(store.reload());  // neither the file nor the key changed

  keys->secrets["ci/cosign-key"]["cosign.pub"] = std::string(kKeyB);
  auto reloaded = store.reload();
  REQUIRE(reloaded);
  CHECK(reloaded->errors.empty());
  const std::string after = store.current()->policies.front().rules.front().verify_images.front().fingerprint;
  CHECK(after != before);

  // A key that disappears refuses the policy; the last good set stays in force.
  keys->secrets.erase("ci/cosign-key");
  auto refused = store.reload();
  REQUIRE(refused);
  REQUIRE(refused->errors.size() == 1);
  CHECK(store.current()->policies.front().rules.front().verify_images.front().fingerprint == after);
}

TEST_CASE("a missing Secret or cosign.pub refuses the policy naming the Secret", "[policy][loader][k8s]") {
  FakeCluster keys;
  keys.secrets["ci/other"] = {{"cosign.key", "encrypted"}};
  LoadReport missing = load_with_keys(k8s_policy(), &keys);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors.front().field_path == "spec.rules[0].verifyImages[0].attestors[0].entries[0].keys.publicKeys");
  CHECK(missing.errors.front().message == "keys.publicKeys: k8s://ci/cosign-key: Secret ci/cosign-key not found");

  LoadReport no_key = load_with_keys(k8s_policy("k8s://ci/other"), &keys);
  REQUIRE(no_key.errors.size() == 1);
  CHECK(no_key.errors.front().message == "keys.publicKeys: k8s://ci/other: Secret ci/other has no cosign.pub");

  keys.secrets["ci/garbage"] = {{"cosign.pub", "not a key"}};
  LoadReport garbage = load_with_keys(k8s_policy("k8s://ci/garbage"), &keys);
  REQUIRE(garbage.errors.size() == 1);
  CHECK_THAT(garbage.errors.front().message,
             Catch::StartsWith("keys.publicKeys: k8s://ci/garbage: cosign.pub of Secret ci/garbage is not a valid "
                               "PEM public key"));
}

TEST_CASE("a k8s:// reference without a namespace is refused before any read", "[policy][loader][k8s]") {
  FakeCluster keys;
  LoadReport report = load_with_keys(k8s_policy("k8s://cosign-key"), &keys);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors.front().message ==
        "keys.publicKeys: \"k8s://cosign-key\" is not a Secret reference of the form k8s://namespace/name");
  CHECK(keys.asked == 0);
}

std::string secret_policy(const std::string& name = "cosign-key", const std::string& ns = "ci") {
  std::string yaml = keyed_policy();
  const std::string written = "            publicKeys: |-\n" + indent(kKeyA, 14);
  yaml.replace(yaml.find(written), written.size(),
               "            secret:\n              name: " + name + "\n              namespace: " + ns + "\n");
  return yaml;
}

TEST_CASE("keys.secret is the cosign.pub of the Secret it names, as a k8s:// key", "[policy][loader][k8s]") {
  FakeCluster cluster;
  cluster.secrets["ci/cosign-key"] = {{"cosign.pub", std::string(kKeyA)}};
  const LoadReport by_secret = load_with_keys(secret_policy(), &cluster);
  for (const auto& error : by_secret.errors) UNSCOPED_INFO(error.to_string());
  const auto& keys = entry_of(by_secret).attestors.front().entries.front().keys;
  REQUIRE(keys);
  REQUIRE(keys->public_keys.size() == 1);
  CHECK(entry_of(by_secret).fingerprint == entry_of(load_with_keys(k8s_policy(), &cluster)).fingerprint);

  LoadReport missing = load_with_keys(secret_policy("nosuch"), &cluster);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors.front().field_path == "spec.rules[0].verifyImages[0].attestors[0].entries[0].keys.secret");
  CHECK(missing.errors.front().message == "keys.secret: Secret ci/nosuch not found");

  LoadReport no_cluster = load_with_keys(secret_policy(), nullptr);
  REQUIRE(no_cluster.errors.size() == 1);
  CHECK(no_cluster.errors.front().message ==
        "keys.secret: Secret ci/cosign-key is read from a Kubernetes Secret, which needs signet serve --kube-secrets");

  LoadReport bad_name = load_with_keys(secret_policy("Cosign_Key"), &cluster);
  REQUIRE(bad_name.errors.size() == 1);
  CHECK(bad_name.errors.front().message == "secret.name must be a Kubernetes name, got \"Cosign_Key\"");

  std::string both = secret_policy();
  both += "            publicKeys: |-\n" + indent(kKeyA, 14);
  LoadReport two = load_with_keys(both, &cluster);
  REQUIRE(two.errors.size() == 1);
  CHECK(two.errors.front().message == "keys takes publicKeys or secret, not both");
}

}  // namespace
}  // namespace signet::policy
