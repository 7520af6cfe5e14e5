// Policy folders for the loader tests: a fresh temporary folder per test, the files written into it,
// and public keys made for these tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "policy/cluster_objects.hpp"
#include "policy/jmespath/json_value.hpp"
#include "policy/policy_set.hpp"

namespace signet::policy::testing {

inline constexpr std::string_view kKeyA =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESVpJpdn8l68a2Cn43VZm+sY757JR\n"
    "jtLsaQbvIubHvfI/Ul3Jn4NbOY23hRlCkYxekESlGWOwD1RcsaY4RpdxCA==\n"
    "-----END PUBLIC KEY-----\n";

inline constexpr std::string_view kKeyB =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHFWLe/OvYc+A42OZsNRwS7DaEGUT\n"
    "qNNQRDLaT0NrGXouOisb2cJaKUcbYNdJSOeY0TJPC9/IHtzYnTov9zvZ2Q==\n"
    "-----END PUBLIC KEY-----\n";

inline constexpr std::string_view kEd25519Key =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAhYbqfVCZEIrd5C25SNzfOPvm0zBufvN1dNkT2WEZoC0=\n"
    "-----END PUBLIC KEY-----\n";

// `text` with every line indented by `spaces`, for a YAML block scalar.
inline std::string indent(std::string_view text, int spaces) {
  std::string out;
  std::string pad(static_cast<std::size_t>(spaces), ' ');
  bool line_start = true;
  for (char c : text) {
    if (line_start && c != '\n') out += pad;
    out += c;
    line_start = c == '\n';
  }
  return out;
}

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "signet-loader-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& name, std::string_view content) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    REQUIRE(out.good());
    return file;
  }

 private:
  std::filesystem::path path_;
};

// Loads `yaml` as the only file of a fresh folder; `dry_run` as signet serve --kube-dry-run gives it.
inline LoadReport load_text(std::string_view yaml, const DryRunSettings* dry_run = nullptr) {
  TempFolder folder;
  folder.write("policy.yaml", yaml);
  return load_policies(folder.path(), nullptr, dry_run);
}

// The single policy `yaml` defines; fails the test (printing the errors) when it was refused.
inline Policy load_one(std::string_view yaml, const DryRunSettings* dry_run = nullptr) {
  LoadReport report = load_text(yaml, dry_run);
  for (const auto& error : report.errors) UNSCOPED_INFO(error.to_string());
  REQUIRE(report.errors.empty());
  REQUIRE(report.accepted.size() == 1);
  return report.accepted.front();
}

// The single error `yaml` produces; fails the test when it was accepted.
inline PolicyError refusal_of(std::string_view yaml, const DryRunSettings* dry_run = nullptr) {
  LoadReport report = load_text(yaml, dry_run);
  REQUIRE(report.accepted.empty());
  REQUIRE(report.errors.size() == 1);
  INFO(report.errors.front().to_string());
  return report.errors.front();
}

// A minimal keyed ClusterPolicy under Enforce; `entry_extra` is appended to the verifyImages entry
// (indented 6 spaces), `keys_extra` to its keys (12 spaces), `spec_extra` to spec (2 spaces).
inline std::string keyed_policy(std::string_view entry_extra = {}, std::string_view keys_extra = {},
                                std::string_view spec_extra = {}) {
  std::string yaml =
      "apiVersion: kyverno.io/v1\n"
      "kind: ClusterPolicy\n"
      "metadata:\n"
      "  name: check-images\n"
      "spec:\n"
      "  validationFailureAction: Enforce\n";
  yaml += spec_extra;
  yaml +=
      "  rules:\n"
      "  - name: verify-signature\n"
      "    match:\n"
      "      any:\n"
      "      - resources:\n"
      "          kinds: [Pod]\n"
      "    verifyImages:\n"
      "    - imageReferences: [\"registry.example/team/*\"]\n";
  yaml += entry_extra;
  yaml +=
      "      attestors:\n"
      "      - entries:\n"
      "        - keys:\n"
      "            publicKeys: |-\n";
  yaml += indent(kKeyA, 14);
  yaml += keys_extra;
  return yaml;
}

// The cluster's Secrets and ConfigMaps by "namespace/name", each a map of data keys; counts the reads.
class FakeCluster final : public ClusterObjects {
 public:
  std::map<std::string, std::map<std::string, std::string>> secrets;
  std::map<std::string, std::map<std::string, std::string>> config_maps;
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

  // As Kyverno's context holds a ConfigMap: {data, metadata}.
  Result<std::string> config_map(const std::string& namespace_name, const std::string& name) override {
    ++asked;
    const auto found = config_maps.find(namespace_name + "/" + name);
    if (found == config_maps.end()) return Error::invalid("ConfigMap " + namespace_name + "/" + name + " not found");
    json::Object data;
    for (const auto& [key, value] : found->second) data.emplace_back(key, json::Value(value));
    const json::Object metadata{{"name", json::Value(name)}, {"namespace", json::Value(namespace_name)}};
    return json::to_json(json::Object{{"data", json::Value(std::move(data))}, {"metadata", json::Value(metadata)}});
  }
};

}  // namespace signet::policy::testing
