// k8s://namespace/name public keys resolved while policies load, through a KeyResolver.
#include <map>

#include <catch2/catch.hpp>

#include "policy/policy_set.hpp"
#include "test/unit/policy/loader_test_support.hpp"

namespace signet::policy {
namespace {

using testing::indent;
using testing::keyed_policy;
using testing::kKeyA;
using testing::kKeyB;
using testing::TempFolder;

// Secrets by "namespace/name", each a map of data keys; counts what it was asked.
class FakeSecrets final : public KeyResolver {
 public:
  std::map<std::string, std::map<std::string, std::string>> secrets;
  int asked = 0;

  Result<std::string> public_key(const std::string& namespace_name, const std::string& name) override {
    ++asked;
    const auto secret = secrets.find(namespace_name + "/" + name);
    if (secret == secrets.end()) return Error::invalid("Secret " + namespace_name + "/" + name + " not found");
    const auto key = secret->second.find("cosign.pub");
    if (key == secret->second.end())
      return Error::invalid("Secret " + namespace_name + "/" + name + " has no cosign.pub");
    return key->second;
  }
};

std::string k8s_policy(const std::string& reference = "k8s://ci/cosign-key") {
  std::string yaml = keyed_policy();
  const std::string pem = indent(kKeyA, 14);
  yaml.replace(yaml.find(pem), pem.size(), "              " + reference + "\n");
  return yaml;
}

LoadReport load_with(const std::string& yaml, KeyResolver* keys) {
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
  FakeSecrets keys;
  keys.secrets["ci/cosign-key"] = {{"cosign.pub", std::string(kKeyA)}};
  const LoadReport report = load_with(k8s_policy(), &keys);
  for (const auto& error : report.errors) UNSCOPED_INFO(error.to_string());
  const ImageVerification& entry = entry_of(report);
  const auto& attestor = entry.attestors.front().entries.front();
  REQUIRE(attestor.keys);
  REQUIRE(attestor.keys->public_keys.size() == 1);
  auto expected = crypto::PublicKey::from_pem(std::string(kKeyA));
  REQUIRE(expected.ok());
  CHECK(attestor.keys->public_keys.front().der() == expected->der());

  // The same key written inline verifies the same: the verdict fingerprint is the same too.
  const LoadReport inline_key = load_with(keyed_policy(), nullptr);
  CHECK(entry_of(inline_key).fingerprint == entry.fingerprint);
}

TEST_CASE("a rotated k8s:// key changes the fingerprint and reloads the store", "[policy][loader][k8s]") {
  auto keys = std::make_shared<FakeSecrets>();
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
  FakeSecrets keys;
  keys.secrets["ci/other"] = {{"cosign.key", "encrypted"}};
  LoadReport missing = load_with(k8s_policy(), &keys);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors.front().field_path == "spec.rules[0].verifyImages[0].attestors[0].entries[0].keys.publicKeys");
  CHECK(missing.errors.front().message == "keys.publicKeys: k8s://ci/cosign-key: Secret ci/cosign-key not found");

  LoadReport no_key = load_with(k8s_policy("k8s://ci/other"), &keys);
  REQUIRE(no_key.errors.size() == 1);
  CHECK(no_key.errors.front().message == "keys.publicKeys: k8s://ci/other: Secret ci/other has no cosign.pub");

  keys.secrets["ci/garbage"] = {{"cosign.pub", "not a key"}};
  LoadReport garbage = load_with(k8s_policy("k8s://ci/garbage"), &keys);
  REQUIRE(garbage.errors.size() == 1);
  CHECK_THAT(garbage.errors.front().message,
             Catch::StartsWith("keys.publicKeys: k8s://ci/garbage: cosign.pub of Secret ci/garbage is not a valid "
                               "PEM public key"));
}

TEST_CASE("a k8s:// reference without a namespace is refused before any read", "[policy][loader][k8s]") {
  FakeSecrets keys;
  LoadReport report = load_with(k8s_policy("k8s://cosign-key"), &keys);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors.front().message ==
        "keys.publicKeys: \"k8s://cosign-key\" is not a Secret reference of the form k8s://namespace/name");
  CHECK(keys.asked == 0);
}

}  // namespace
}  // namespace signet::policy
