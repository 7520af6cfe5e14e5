// Rule context entries (configMap, variable) evaluated while policies load: the attestor fields their
// variables fill, refusals naming the ConfigMap, key and field, reloads when a ConfigMap changes, and the
// attestation conditions that see them.
#include <catch2/catch.hpp>

#include "oci/reference.hpp"
#include "policy/attestation_check.hpp"
#include "test/unit/policy/loader_test_support.hpp"

namespace signet::policy {
namespace {

using testing::FakeCluster;
using testing::indent;
using testing::keyed_policy;
using testing::kKeyA;
using testing::kKeyB;
using testing::TempFolder;

constexpr std::string_view kKeysContext =
    "    context:\n"
    "    - name: keys\n"
    "      configMap:\n"
    "        name: keys\n"
    "        namespace: default\n";

const std::string kKeysPath = "spec.rules[0].verifyImages[0].attestors[0].entries[0].keys";

// keyed_policy() with `context` on its rule and `public_keys` (one line) as its publicKeys.
std::string context_policy(std::string_view context = kKeysContext,
                           std::string_view public_keys = "\"{{ keys.data.production }}\"") {
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("    match:\n"), 0, context);
  const std::string written = "publicKeys: |-\n" + indent(kKeyA, 14);
  yaml.replace(yaml.find(written), written.size(), "publicKeys: " + std::string(public_keys) + "\n");
  return yaml;
}

LoadReport load_with(const std::string& yaml, ClusterObjects* cluster) {
  TempFolder folder;
  folder.write("policy.yaml", yaml);
  return load_policies(folder.path(), cluster);
}

Policy accepted(const LoadReport& report) {
  for (const auto& error : report.errors) UNSCOPED_INFO(error.to_string());
  REQUIRE(report.errors.empty());
  REQUIRE(report.accepted.size() == 1);
  return report.accepted.front();
}

PolicyError refused(const LoadReport& report) {
  REQUIRE(report.accepted.empty());
  REQUIRE(report.errors.size() == 1);
  return report.errors.front();
}

FakeCluster cluster_with_keys() {
  FakeCluster cluster;
  cluster.config_maps["default/keys"] = {{"production", std::string(kKeyA)}, {"staging", std::string(kKeyB)}};
  return cluster;
}

TEST_CASE("a public key from a ConfigMap context entry verifies as the same key written inline",
          "[policy][loader][context]") {
  FakeCluster cluster = cluster_with_keys();
  const Policy policy = accepted(load_with(context_policy(), &cluster));
  const Rule& rule = policy.rules.front();
  REQUIRE(rule.context.size() == 1);
  CHECK(rule.context[0].name == "keys");
  REQUIRE(rule.context[0].config_map);
  CHECK(rule.context[0].config_map->namespace_name == "default");
  // The whole ConfigMap ({data, metadata}) under the entry's name, as Kyverno's context holds it.
  REQUIRE(rule.context_values.find("keys"));
  CHECK(rule.context_values.find("keys")->find("metadata")->find("name")->as_string() == "keys");

  const auto& keys = rule.verify_images[0].attestors[0].entries[0].keys;
  REQUIRE(keys);
  REQUIRE(keys->public_keys.size() == 1);
  CHECK(keys->public_keys[0].der() == crypto::PublicKey::from_pem(std::string(kKeyA))->der());
  const Policy written = accepted(load_with(keyed_policy(), nullptr));
  CHECK(rule.verify_images[0].fingerprint == written.rules[0].verify_images[0].fingerprint);
}

TEST_CASE("a ConfigMap value that is not a key refuses the policy naming the ConfigMap, the key and the field",
          "[policy][loader][context]") {
  FakeCluster cluster = cluster_with_keys();
  cluster.config_maps["default/keys"]["production"] = "not a key";
  const PolicyError error = refused(load_with(context_policy(), &cluster));
  CHECK(error.field_path == kKeysPath + ".publicKeys");
  CHECK(error.line == 23);
  CHECK_THAT(error.message, Catch::StartsWith("keys.publicKeys is not a valid PEM public key: "));
  CHECK_THAT(error.message, Catch::EndsWith("(the value of {{ keys.data.production }} from ConfigMap default/keys)"));
}

TEST_CASE("a missing ConfigMap or data key refuses the policy naming it", "[policy][loader][context]") {
  FakeCluster cluster;
  const PolicyError missing = refused(load_with(context_policy(), &cluster));
  CHECK(missing.field_path == "spec.rules[0].context[0].configMap");
  CHECK(missing.message == "ConfigMap default/keys not found");

  cluster.config_maps["default/keys"] = {{"staging", std::string(kKeyB)}};
  const PolicyError no_key = refused(load_with(context_policy(), &cluster));
  CHECK(no_key.field_path == kKeysPath + ".publicKeys");
  CHECK(no_key.message ==
        "keys.publicKeys: variable substitution failed for \"{{ keys.data.production }}\": \"keys.data.production\" "
        "resolves to null (no such field?); the rule's context has keys (ConfigMap default/keys)");
}

TEST_CASE("without the Kubernetes API a configMap context entry is refused naming the flag",
          "[policy][loader][context]") {
  const PolicyError error = refused(load_with(context_policy(), nullptr));
  CHECK(error.field_path == "spec.rules[0].context[0].configMap");
  CHECK(error.message ==
        "ConfigMap default/keys is read from the Kubernetes API, which needs signet serve --kube-secrets");
}

TEST_CASE("attestor fields that need the admission are refused: signet resolves them at load",
          "[policy][loader][context]") {
  FakeCluster cluster = cluster_with_keys();
  // Kyverno's library policy verify-image-with-multi-keys reads a key per namespace this way.
  const PolicyError error =
      refused(load_with(context_policy(kKeysContext, "\"{{ keys.data.{{request.namespace}} }}\""), &cluster));
  CHECK(error.field_path == kKeysPath + ".publicKeys");
  CHECK(error.message ==
        "keys.publicKeys: \"request.namespace\" reads request, which only an admission has, and signet resolves "
        "this when policies load: use a constant or a context entry (configMap or variable) instead");

  const PolicyError in_context = refused(
      load_with(context_policy("    context:\n    - name: ns\n      variable:\n        jmesPath: request.namespace\n"),
                &cluster));
  CHECK(in_context.field_path == "spec.rules[0].context[0].variable.jmesPath");
  CHECK_THAT(in_context.message, Catch::StartsWith("\"request.namespace\" reads request, which only an admission has"));
}

TEST_CASE("variable context entries evaluate from constants and earlier entries", "[policy][loader][context]") {
  FakeCluster cluster = cluster_with_keys();
  const std::string entries = std::string(kKeysContext) +
                              "    - name: chosen\n"
                              "      variable:\n"
                              "        value: {env: staging}\n"
                              "        jmesPath: env\n"
                              "    - name: key\n"
                              "      variable:\n"
                              "        jmesPath: keys.data.staging\n"
                              "    - name: fallback\n"
                              "      variable:\n"
                              "        jmesPath: keys.data.nosuch\n"
                              "        default: \"{{ chosen }}\"\n";
  const Policy policy = accepted(load_with(context_policy(entries, "\"{{ key }}\""), &cluster));
  const Rule& rule = policy.rules[0];
  CHECK(rule.context.size() == 4);
  CHECK(rule.context_values.find("chosen")->as_string() == "staging");
  CHECK(rule.context_values.find("fallback")->as_string() == "staging");
  CHECK(rule.verify_images[0].attestors[0].entries[0].keys->public_keys[0].der() ==
        crypto::PublicKey::from_pem(std::string(kKeyB))->der());

  const PolicyError neither =
      refused(load_with(context_policy("    context:\n    - name: x\n      variable: {}\n"), &cluster));
  CHECK(neither.message == "a variable needs a value or a jmesPath");
  const PolicyError lone_default = refused(
      load_with(context_policy("    context:\n    - name: x\n      variable:\n        value: 1\n        default: 2\n"),
                &cluster));
  CHECK(lone_default.message == "a default is only taken with a jmesPath");
}

TEST_CASE("context entries are refused for what Kyverno refuses and what signet cannot read",
          "[policy][loader][context]") {
  FakeCluster cluster = cluster_with_keys();
  const auto message_of = [&](const std::string& context) {
    return refused(load_with(context_policy(context), &cluster)).message;
  };
  CHECK(message_of("    context:\n    - name: request\n      variable:\n        value: x\n") ==
        "context entry name request conflicts with the pre-defined variable request");
  CHECK(message_of("    context:\n    - name: img\n      imageRegistry:\n        reference: ghcr.io/a/b\n") ==
        "imageRegistry is not supported by signet yet (context entries from image registries)");
  CHECK(message_of("    context:\n    - name: g\n      globalReference:\n        name: x\n") ==
        "globalReference is not supported by signet yet (global context entries)");
  CHECK(message_of("    context:\n    - name: keys\n      configMap:\n        name: keys\n") ==
        "configMap.namespace is required in a ClusterPolicy");
  CHECK(message_of("    context:\n    - name: keys\n      configMap:\n        name: keys\n        namespace: default\n"
                   "      variable:\n        value: x\n") ==
        "context entry keys needs exactly one of configMap and variable");
}

TEST_CASE("a Policy reads ConfigMaps in its own namespace only", "[policy][loader][context]") {
  FakeCluster cluster;
  cluster.config_maps["team/keys"] = {{"production", std::string(kKeyA)}};
  auto namespaced = [](std::string yaml) {
    yaml.replace(yaml.find("kind: ClusterPolicy\nmetadata:\n"), std::string("kind: ClusterPolicy\nmetadata:\n").size(),
                 "kind: Policy\nmetadata:\n  namespace: team\n");
    return yaml;
  };
  const std::string omitted = "    context:\n    - name: keys\n      configMap:\n        name: keys\n";
  const Policy policy = accepted(load_with(namespaced(context_policy(omitted)), &cluster));
  CHECK(policy.rules[0].context[0].config_map->namespace_name == "team");

  const PolicyError other = refused(load_with(namespaced(context_policy()), &cluster));
  CHECK(other.field_path == "spec.rules[0].context[0].configMap.namespace");
  CHECK(other.message == "a Policy reads ConfigMaps in its own namespace team, not default (as Kyverno)");
}

TEST_CASE("keyless identities and attestor counts take their values from a ConfigMap", "[policy][loader][context]") {
  FakeCluster cluster;
  cluster.config_maps["default/identity"] = {{"subject", "https://github.com/acme/*"},
                                             {"issuer", "https://token.actions.githubusercontent.com"},
                                             {"count", "1"}};
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("    match:\n"), 0,
               "    context:\n    - name: id\n      configMap:\n        name: identity\n        namespace: default\n");
  yaml.replace(yaml.find("      - entries:\n"), std::string("      - entries:\n").size(),
               "      - count: \"{{ id.data.count }}\"\n"
               "        entries:\n"
               "        - keyless:\n"
               "            subject: \"{{ id.data.subject }}\"\n"
               "            issuer: \"{{ id.data.issuer }}\"\n");
  const Policy policy = accepted(load_with(yaml, &cluster));
  const AttestorSet& set = policy.rules[0].verify_images[0].attestors[0];
  CHECK(set.count == 1);
  REQUIRE(set.entries[0].keyless);
  CHECK(set.entries[0].keyless->subject == "https://github.com/acme/*");
  CHECK(set.entries[0].keyless->issuer == "https://token.actions.githubusercontent.com");

  cluster.config_maps["default/identity"]["count"] = "two";
  const PolicyError error = refused(load_with(yaml, &cluster));
  CHECK(error.field_path == "spec.rules[0].verifyImages[0].attestors[0].count");
  CHECK(error.message ==
        "expected an integer, got \"two\" (the value of {{ id.data.count }} from ConfigMap "
        "default/identity)");
}

TEST_CASE("an edited ConfigMap changes the fingerprint and reloads the store", "[policy][loader][context]") {
  auto cluster = std::make_shared<FakeCluster>(cluster_with_keys());
  TempFolder folder;
  folder.write("policy.yaml", context_policy());
  PolicyStore store(folder.path(), cluster);
  REQUIRE(store.reload(true));
  const auto fingerprint = [&] { return store.current()->policies.front().rules[0].verify_images[0].fingerprint; };
  const std::string before = fingerprint();
  CHECK_FALSE(store.reload());  // neither the file nor the ConfigMap changed

  cluster->config_maps["default/keys"]["production"] = std::string(kKeyB);
  auto reloaded = store.reload();
  REQUIRE(reloaded);
  CHECK(reloaded->errors.empty());
  CHECK(fingerprint() != before);

  // A ConfigMap that disappears refuses the policy; the last good set stays in force.
  const std::string after = fingerprint();
  cluster->config_maps.erase("default/keys");
  auto refusal = store.reload();
  REQUIRE(refusal);
  REQUIRE(refusal->errors.size() == 1);
  CHECK(refusal->errors[0].message == "ConfigMap default/keys not found");
  CHECK(fingerprint() == after);
}

TEST_CASE("attestation conditions see the rule's context entries", "[policy][loader][context][attestations]") {
  FakeCluster cluster = cluster_with_keys();
  // A JSON array held in a ConfigMap value, which Kyverno's In operators read as a list.
  cluster.config_maps["default/builders"] = {{"allowed", R"(["https://ci.acme/builder", "https://ci.acme/other"])"}};
  std::string yaml = keyed_policy(
      "      attestations:\n"
      "      - type: https://slsa.dev/provenance/v1\n"
      "        conditions:\n"
      "        - all:\n"
      "          - key: \"{{ builder.id }}\"\n"
      "            operator: AnyIn\n"
      "            value: \"{{ builders.data.allowed }}\"\n");
  yaml.replace(
      yaml.find("    match:\n"), 0,
      "    context:\n    - name: builders\n      configMap:\n        name: builders\n        namespace: default\n");
  const Policy policy = accepted(load_with(yaml, &cluster));
  const ImageVerification& entry = policy.rules[0].verify_images[0];
  const Attestation& attestation = entry.attestations[0];

  const auto image = oci::parse_reference("registry.example/team/app@sha256:" + std::string(64, 'a'));
  REQUIRE(image);
  const auto check = statement_check(json::Object{});
  const auto statement = [](const std::string& builder) {
    return json::Value(json::Object{
        {"predicate",
         json::Value(json::Object{{"builder", json::Value(json::Object{{"id", json::Value(builder)}})}})}});
  };
  CHECK(check(attestation, statement("https://ci.acme/builder"), *image));
  auto denied = check(attestation, statement("https://evil.example/builder"), *image);
  REQUIRE_FALSE(denied);
  CHECK_THAT(denied.error().message,
             Catch::StartsWith("attestation of type https://slsa.dev/provenance/v1 fails its conditions"));

  // The values the conditions see are part of the verdict's fingerprint.
  cluster.config_maps["default/builders"]["allowed"] = R"(["https://ci.acme/builder"])";
  CHECK(accepted(load_with(yaml, &cluster)).rules[0].verify_images[0].fingerprint != entry.fingerprint);
}

}  // namespace
}  // namespace signet::policy
