// Every way a policy is refused: bad YAML, unknown fields, wrong types, features signet does not honour
// yet, and what Kyverno's webhook itself rejects; each error names file, document, field path and line.
#include <catch2/catch.hpp>

#include "loader_test_support.hpp"

using namespace signet::policy;
using namespace signet::policy::testing;

namespace {

// keyed_policy() with `from` replaced by `to` (which must occur).
std::string edited(std::string yaml, std::string_view from, std::string_view to) {
  auto at = yaml.find(from);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, from.size(), to);
  return yaml;
}

const std::string kEntryPath = "spec.rules[0].verifyImages[0]";
const std::string kKeysPath = kEntryPath + ".attestors[0].entries[0].keys";

}  // namespace

TEST_CASE("bad YAML is refused with its line, and the file's other documents still load", "[policy][loader][errors]") {
  std::string yaml =
      keyed_policy() + "---\napiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: [broken\n";
  LoadReport report = load_text(yaml);
  REQUIRE(report.accepted.size() == 1);
  REQUIRE(report.errors.size() == 1);
  const PolicyError& error = report.errors[0];
  CHECK(error.file.ends_with("policy.yaml"));
  CHECK(error.document == 2);
  CHECK_THAT(error.message, Catch::StartsWith("invalid YAML: "));
  // The document starts on line 23; its error is reported where yaml-cpp gave up, in the file's lines.
  CHECK(error.line >= 27);
}

TEST_CASE("an unknown field is refused by name, with a suggestion for a typo", "[policy][loader][errors]") {
  PolicyError error = refusal_of(keyed_policy("      imageReference: [\"x\"]\n"));
  CHECK(error.document == 1);
  CHECK(error.field_path == kEntryPath + ".imageReference");
  CHECK(error.line == 15);
  CHECK(error.message == "unknown field \"imageReference\" (did you mean \"imageReferences\"?)");

  error = refusal_of(keyed_policy("", "", "  colour: blue\n"));
  CHECK(error.field_path == "spec.colour");
  CHECK(error.line == 7);
  CHECK(error.message == "unknown field \"colour\"");
}

TEST_CASE("a field given twice is refused", "[policy][loader][errors]") {
  PolicyError error = refusal_of(keyed_policy("      required: true\n      required: false\n"));
  CHECK(error.field_path == kEntryPath + ".required");
  CHECK(error.line == 16);
  CHECK(error.message == "duplicate field \"required\"");
}

TEST_CASE("a wrong type is refused naming the type expected", "[policy][loader][errors]") {
  SECTION("a list where a boolean belongs") {
    PolicyError error = refusal_of(keyed_policy("      required: [yes]\n"));
    CHECK(error.field_path == kEntryPath + ".required");
    CHECK(error.line == 15);
    CHECK(error.message == "expected true or false, got a list");
  }
  SECTION("a quoted number where an integer belongs") {
    PolicyError error = refusal_of(keyed_policy("", "", "  webhookTimeoutSeconds: \"10\"\n"));
    CHECK(error.field_path == "spec.webhookTimeoutSeconds");
    CHECK(error.message == "expected an integer, got the string \"10\"");
  }
  SECTION("a number where a string belongs") {
    PolicyError error = refusal_of(keyed_policy("      repository: 12\n"));
    CHECK(error.field_path == kEntryPath + ".repository");
    CHECK(error.message == "expected a string, got the number 12 (quote it to make it a string)");
  }
  SECTION("a string where a list belongs") {
    PolicyError error = refusal_of(edited(keyed_policy(), "imageReferences: [\"registry.example/team/*\"]",
                                          "imageReferences: registry.example/team/*"));
    CHECK(error.field_path == kEntryPath + ".imageReferences");
    CHECK(error.line == 14);
    CHECK(error.message == "expected a list, got the string \"registry.example/team/*\"");
  }
  SECTION("a list where an object belongs") {
    PolicyError error = refusal_of(edited(keyed_policy(), "    match:\n", "    match: []\n    unmatched:\n"));
    CHECK(error.field_path == "spec.rules[0].unmatched");
  }
  SECTION("a boolean annotation value") {
    PolicyError error = refusal_of(
        edited(keyed_policy(), "  name: check-images\n", "  name: check-images\n  annotations:\n    enabled: true\n"));
    CHECK(error.field_path == "metadata.annotations.enabled");
    CHECK(error.line == 6);
    CHECK_THAT(error.message, Catch::StartsWith("expected a string, got the boolean true"));
  }
}

TEST_CASE("each feature signet does not honour yet is refused by name", "[policy][loader][errors]") {
  struct Case {
    std::string entry_extra, keys_extra, spec_extra;
    std::string path, message;
  };
  const std::vector<Case> cases = {
      {"", "            kms: gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k\n", "", kKeysPath + ".kms",
       "keys.kms is not supported by signet yet (KMS keys)"},
      {"      imageRegistryCredentials:\n        providers: [amazon]\n", "", "",
       kEntryPath + ".imageRegistryCredentials.providers",
       "provider \"amazon\" is not supported: put the registry's credentials in a dockerconfigjson secret and list "
       "it in secrets"},
      {"      imageRegistryCredentials:\n        allowInsecureRegistry: true\n", "", "",
       kEntryPath + ".imageRegistryCredentials.allowInsecureRegistry",
       "allowInsecureRegistry is not supported per rule: start signet with --insecure-registry HOST[:PORT]"},
      {"      cosignOCI11: true\n", "", "", kEntryPath + ".cosignOCI11",
       "cosignOCI11 is not supported by signet yet (signatures stored as OCI 1.1 referrers)"},
      {"      type: Notary\n", "", "", kEntryPath + ".type",
       "type Notary is not supported by signet yet (Cosign and SigstoreBundle are)"},
      {"      validate:\n        deny:\n          conditions: {}\n", "", "", kEntryPath + ".validate.deny",
       "validate.deny is not supported by signet yet (deny conditions)"},
      {"", "", "  validationFailureActionOverrides:\n  - action: Audit\n    namespaces: [dev]\n",
       "spec.validationFailureActionOverrides",
       "spec.validationFailureActionOverrides is not supported by signet yet (per-namespace failure actions)"},
      {"", "", "  applyRules: One\n", "spec.applyRules",
       "applyRules One is not supported by signet yet (every rule is applied)"},
      {"", "", "  webhookConfiguration:\n    matchConditions:\n    - name: x\n      expression: \"true\"\n",
       "spec.webhookConfiguration.matchConditions",
       "webhookConfiguration.matchConditions is not supported by signet yet (webhook match conditions)"},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    PolicyError error = refusal_of(keyed_policy(c.entry_extra, c.keys_extra, c.spec_extra));
    CHECK(error.field_path == c.path);
    CHECK(error.message == c.message);
    CHECK(error.line > 0);
  }
}

TEST_CASE("API-call context entries and preconditions are refused as not supported yet", "[policy][loader][errors]") {
  struct Case {
    std::string block;
    int line;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"    context:\n    - name: pods\n      apiCall:\n        urlPath: /api/v1/pods\n", 11,
       "apiCall is not supported by signet yet (context entries from API calls)"},
      {"    preconditions:\n      all:\n      - key: \"{{request.operation}}\"\n        operator: NotEquals\n        "
       "value: DELETE\n",
       9, "preconditions is not supported by signet yet (rule conditions)"},
  };
  for (const auto& [block, line, message] : cases) {
    PolicyError error = refusal_of(edited(keyed_policy(), "    match:\n", block + "    match:\n"));
    CHECK(error.field_path.starts_with("spec.rules[0]."));
    CHECK(error.line == line);
    CHECK(error.message == message);
  }
}

TEST_CASE("an attestor entry with keyless and keys both is refused", "[policy][loader][errors]") {
  std::string both =
      edited(keyed_policy(), "        - keys:\n", "        - keyless:\n            subject: me\n          keys:\n");
  PolicyError error = refusal_of(both);
  CHECK(error.field_path == kEntryPath + ".attestors[0].entries[0]");
  CHECK(error.message == "an attestor entry takes only one of keys, certificates, keyless and attestor");
}

TEST_CASE("Rekor, CT log and TSA material that is not PEM is refused naming the field", "[policy][loader][errors]") {
  PolicyError error = refusal_of(keyed_policy("", "            rekor:\n              pubkey: abc\n"));
  CHECK(error.field_path == kKeysPath + ".rekor.pubkey");
  CHECK_THAT(error.message, Catch::StartsWith("rekor.pubkey is not a valid PEM public key"));
  error = refusal_of(keyed_policy("", "            ctlog:\n              tsaCertChain: abc\n"));
  CHECK(error.field_path == kKeysPath + ".ctlog.tsaCertChain");
  CHECK_THAT(error.message, Catch::StartsWith("ctlog.tsaCertChain is not valid PEM certificates"));
}

TEST_CASE("namespaceSelector is refused: it needs the API server", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(keyed_policy(), "          kinds: [Pod]\n",
                                        "          kinds: [Pod]\n          namespaceSelector:\n            "
                                        "matchLabels:\n              signed: \"true\"\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].resources.namespaceSelector");
  CHECK(error.line == 13);
  CHECK_THAT(error.message, Catch::StartsWith("resources.namespaceSelector is not supported by signet yet"));
}

TEST_CASE("public keys that are references or unresolved variables are refused", "[policy][loader][errors]") {
  const std::string pem = indent(kKeyA, 14);
  PolicyError error = refusal_of(edited(keyed_policy(), pem, "              k8s://ci/cosign-key\n"));
  CHECK(error.field_path == kKeysPath + ".publicKeys");
  CHECK(error.line == 18);
  CHECK(
      error.message ==
      "keys.publicKeys: k8s://ci/cosign-key is read from a Kubernetes Secret, which needs signet serve --kube-secrets");

  error = refusal_of(edited(keyed_policy(), pem, "              awskms://alias/release\n"));
  CHECK(error.message == "keys.publicKeys: key references (awskms://) are not supported by signet yet");

  error = refusal_of(edited(keyed_policy(), pem, "              \"{{ keys.data.production }}\"\n"));
  CHECK(error.message ==
        "keys.publicKeys: variable substitution failed for \"{{ keys.data.production }}\": \"keys.data.production\" "
        "resolves to null (no such field?); the rule has no context entries");
}

TEST_CASE("a public key that is not valid PEM is refused with the reason", "[policy][loader][errors]") {
  std::string broken(kKeyA);
  broken.replace(broken.find("MFkw"), 4, "M!kw");
  PolicyError error = refusal_of(edited(keyed_policy(), indent(kKeyA, 14), indent(broken, 14)));
  CHECK(error.field_path == kKeysPath + ".publicKeys");
  CHECK(error.line == 18);
  CHECK_THAT(error.message, Catch::StartsWith("keys.publicKeys is not a valid PEM public key: "));

  error = refusal_of(edited(keyed_policy(), indent(kKeyA, 14), "              just some text\n"));
  CHECK_THAT(error.message, Catch::StartsWith("keys.publicKeys is not a valid PEM public key: "));

  error = refusal_of(edited(keyed_policy(), "            publicKeys: |-\n" + indent(kKeyA, 14),
                            "            rekor:\n              ignoreTlog: true\n"));
  CHECK(error.field_path == kKeysPath);
  CHECK(error.message == "publicKeys is required: give one or more PEM public keys (or a secret holding cosign.pub)");
}

TEST_CASE("imageReferences is required", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(
      keyed_policy(), "    - imageReferences: [\"registry.example/team/*\"]\n      attestors:", "    - attestors:"));
  CHECK(error.field_path == kEntryPath);
  CHECK(error.line == 14);
  CHECK(error.message == "imageReferences is required: list the images this entry verifies");

  error = refusal_of(
      edited(keyed_policy(), "[\"registry.example/team/*\"]", "[\"registry.example/{{request.namespace}}/*\"]"));
  CHECK(error.message == "variables are not allowed in image references");
}

TEST_CASE("values outside Kyverno's enums are refused naming the allowed ones", "[policy][loader][errors]") {
  PolicyError error = refusal_of(keyed_policy("      failureAction: enforce\n"));
  CHECK(error.field_path == kEntryPath + ".failureAction");
  CHECK(error.message == "failureAction must be Enforce or Audit, got \"enforce\"");

  error = refusal_of(edited(keyed_policy(), "validationFailureAction: Enforce", "validationFailureAction: Block"));
  CHECK(error.field_path == "spec.validationFailureAction");
  CHECK(error.line == 6);
  CHECK(error.message == "validationFailureAction must be Enforce or Audit, got \"Block\"");

  error = refusal_of(keyed_policy("      type: Docker\n"));
  CHECK(error.message == "type must be Cosign, SigstoreBundle or Notary, got \"Docker\"");

  error = refusal_of(keyed_policy("", "            signatureAlgorithm: md5\n"));
  CHECK(error.field_path == kKeysPath + ".signatureAlgorithm");
  CHECK(error.message == "signatureAlgorithm must be sha224, sha256, sha384 or sha512, got \"md5\"");

  error = refusal_of(
      edited(keyed_policy(), "          kinds: [Pod]\n", "          kinds: [Pod]\n          operations: [PATCH]\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].resources.operations[0]");
  CHECK(error.message == "operation must be CREATE, UPDATE, DELETE or CONNECT, got \"PATCH\"");

  error = refusal_of(keyed_policy("", "", "  failurePolicy: Retry\n"));
  CHECK(error.message == "failurePolicy must be Fail or Ignore, got \"Retry\"");

  error = refusal_of(keyed_policy("", "", "  webhookTimeoutSeconds: 45\n"));
  CHECK(error.message == "the timeout must be between 1 and 30 seconds, got 45");
}

TEST_CASE("attestor sets are checked as Kyverno checks them", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(keyed_policy(), "      - entries:\n", "      - count: 2\n        entries:\n"));
  CHECK(error.field_path == kEntryPath + ".attestors[0].count");
  CHECK(error.line == 16);
  CHECK(error.message == "count (2) cannot exceed the number of entries (1)");

  error = refusal_of(edited(keyed_policy(), "      - entries:\n", "      - count: 0\n        entries:\n"));
  CHECK(error.message == "count must be at least 1");

  error = refusal_of(edited(keyed_policy(), "        - keys:\n            publicKeys: |-\n" + indent(kKeyA, 14),
                            "        - repository: registry.example/sigs\n"));
  CHECK(error.field_path == kEntryPath + ".attestors[0].entries[0]");
  CHECK(error.message == "an attestor entry needs one of keys, certificates, keyless or attestor");

  error = refusal_of(edited(keyed_policy(),
                            "      - entries:\n        - keys:\n            publicKeys: |-\n" + indent(kKeyA, 14),
                            "      - count: 1\n"));
  CHECK(error.field_path == kEntryPath + ".attestors[0]");
  CHECK(error.message == "entries is required: an attestor set needs at least one entry");
}

TEST_CASE("Audit with mutateDigest is refused, as Kyverno refuses it", "[policy][loader][errors]") {
  // Kyverno's default failure action is Audit and its default mutateDigest is true: a policy must
  // choose one of them explicitly.
  std::string yaml = edited(keyed_policy(), "  validationFailureAction: Enforce\n", "");
  PolicyError error = refusal_of(yaml);
  CHECK(error.field_path == kEntryPath);
  CHECK(error.message == "mutateDigest must be false when the failure action is Audit (Kyverno refuses this too)");

  error = refusal_of(keyed_policy("      failureAction: Audit\n      mutateDigest: true\n"));
  CHECK(error.field_path == kEntryPath + ".mutateDigest");
  CHECK(error.line == 16);
}

TEST_CASE("names and namespaces are checked as Kubernetes and Kyverno check them", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(keyed_policy(), "  name: check-images\n", "  name: Check_Images\n"));
  CHECK(error.field_path == "metadata.name");
  CHECK(error.line == 4);
  CHECK_THAT(error.message, Catch::StartsWith("metadata.name must be a lowercase DNS name"));

  error = refusal_of(edited(keyed_policy(), "  name: check-images\n", "  name: check-images\n  namespace: team-a\n"));
  CHECK(error.field_path == "metadata.namespace");
  CHECK(error.message == "a cluster-wide policy cannot have a namespace");

  error = refusal_of(edited(keyed_policy(), "kind: ClusterPolicy", "kind: Policy"));
  CHECK(error.field_path == "metadata");
  CHECK(error.message == "metadata.namespace is required: a Policy applies only in its namespace");

  std::string namespaced = edited(edited(keyed_policy(), "kind: ClusterPolicy", "kind: Policy"),
                                  "  name: check-images\n", "  name: check-images\n  namespace: team-a\n");
  error = refusal_of(
      edited(namespaced, "          kinds: [Pod]\n", "          kinds: [Pod]\n          namespaces: [team-b]\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].resources.namespaces");
  CHECK(error.message == "a namespaced Policy cannot filter namespaces");

  error = refusal_of(edited(keyed_policy(), "  name: check-images\n", "  annotations: {}\n"));
  CHECK(error.field_path == "metadata");
  CHECK(error.message == "metadata.name is required");
}

TEST_CASE("rules are checked as Kyverno checks them", "[policy][loader][errors]") {
  std::string twice = keyed_policy() + keyed_policy().substr(keyed_policy().find("  - name: verify-signature"));
  PolicyError error = refusal_of(twice);
  CHECK(error.field_path == "spec.rules[1].name");
  CHECK(error.line == 23);
  CHECK(error.message == "duplicate rule name \"verify-signature\"");

  error =
      refusal_of(edited(keyed_policy(), "    match:\n      any:\n      - resources:\n          kinds: [Pod]\n", ""));
  CHECK(error.field_path == "spec.rules[0]");
  CHECK(error.message == "match is required: say which resources rule verify-signature applies to");

  error = refusal_of(edited(keyed_policy(), "          kinds: [Pod]\n", "          names: [web]\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].resources");
  CHECK(error.message == "kinds is required: name at least one kind to match");

  error = refusal_of(edited(keyed_policy(), "    match:\n", "    validate:\n      deny: {}\n    match:\n"));
  CHECK(error.message == "rule verify-signature defines more than one of verifyImages, validate, mutate and generate");

  error = refusal_of(
      edited(keyed_policy(), "      any:\n", "      all:\n      - resources:\n          kinds: [Pod]\n      any:\n"));
  CHECK(error.field_path == "spec.rules[0].match");
  CHECK(error.message == "any and all cannot be specified together");

  error = refusal_of(edited(keyed_policy(), "      any:\n", "      resources:\n        kinds: [Pod]\n      any:\n"));
  CHECK(error.message == "resources, subjects, roles and clusterRoles cannot sit beside any/all");

  error =
      refusal_of(edited(keyed_policy(), "    verifyImages:\n",
                        "    exclude:\n      any:\n      - resources:\n          kinds: [Pod]\n    verifyImages:\n"));
  CHECK(error.field_path == "spec.rules[0].exclude");
  CHECK(error.message == "the rule matches nothing: exclude.any repeats a filter of match.any");

  error = refusal_of(edited(keyed_policy(), "          kinds: [Pod]\n",
                            "          kinds: [Pod]\n          selector:\n            matchExpressions:\n            - "
                            "key: app\n              operator: In\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].resources.selector.matchExpressions[0].values");
  CHECK(error.message == "values must be non-empty for operator In");

  error = refusal_of(
      edited(keyed_policy(), "          kinds: [Pod]\n",
             "          kinds: [Pod]\n        subjects:\n        - kind: ServiceAccount\n          name: ci\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].subjects[0].namespace");
  CHECK(error.message == "namespace is required when kind is ServiceAccount");
}

TEST_CASE("a refused policy does not keep the file's other policies out", "[policy][loader][errors]") {
  std::string second = edited(edited(keyed_policy(), "name: check-images", "name: second"), "kinds: [Pod]",
                              "kinds: [Pod]\n          bogus: 1");
  LoadReport report = load_text(keyed_policy() + "---\n" + second);
  REQUIRE(report.accepted.size() == 1);
  CHECK(report.accepted[0].name == "check-images");
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].document == 2);
  CHECK(report.errors[0].field_path == "spec.rules[0].match.any[0].resources.bogus");
  CHECK(report.errors[0].line == 23 + 13);
}

TEST_CASE("a policy defined twice is refused the second time", "[policy][loader][errors]") {
  TempFolder folder;
  folder.write("a.yaml", keyed_policy());
  folder.write("b.yaml", keyed_policy());
  LoadReport report = load_policies(folder.path());
  REQUIRE(report.accepted.size() == 1);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].file.ends_with("b.yaml"));
  CHECK(report.errors[0].field_path == "metadata.name");
  CHECK(report.errors[0].line == 4);
  CHECK_THAT(report.errors[0].message,
             Catch::Contains("check-images is already defined in") && Catch::Contains("a.yaml"));
}

TEST_CASE("errors read as file:line: document: path: message", "[policy][loader][errors]") {
  PolicyError error{"policies/a.yaml", 2, "spec.rules[0].verifyImages[1].attestors[0].entries[0].keys.kms", 31,
                    "keys.kms is not supported by signet yet"};
  CHECK(error.to_string() ==
        "policies/a.yaml:31: document 2: spec.rules[0].verifyImages[1].attestors[0].entries[0].keys.kms: keys.kms is "
        "not supported by signet yet");
  CHECK(PolicyError{"x.yaml", 0, "", 0, "cannot read: denied"}.to_string() == "x.yaml: cannot read: denied");
}

TEST_CASE("a policy under an apiVersion signet does not read is refused, not skipped", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(keyed_policy(), "apiVersion: kyverno.io/v1", "apiVersion: kyverno.io/v1beta1"));
  CHECK(error.field_path == "apiVersion");
  CHECK(error.line == 1);
  CHECK_THAT(error.message,
             Catch::StartsWith("apiVersion \"kyverno.io/v1beta1\" is not one signet reads for ClusterPolicy"));

  error = refusal_of(edited(keyed_policy(), "apiVersion: kyverno.io/v1\n", ""));
  CHECK(error.field_path.empty());
  CHECK_THAT(error.message, Catch::StartsWith("apiVersion \"\" is not one signet reads"));

  // Another group's Policy (the API server's audit policy) is simply not ours.
  LoadReport report = load_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n");
  CHECK(report.errors.empty());
  CHECK(report.notes.size() == 1);
}

TEST_CASE("variables in match or exclude are refused, as Kyverno refuses them", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(keyed_policy(), "          kinds: [Pod]\n",
                                        "          kinds: [Pod]\n          namespaces: [\"{{request.namespace}}\"]\n"));
  CHECK(error.field_path == "spec.rules[0].match.any[0].resources.namespaces[0]");
  CHECK(error.line == 13);
  CHECK(error.message == "variables are not allowed in match or exclude");
}

TEST_CASE("roles and clusterRoles are refused: a review does not carry them, so they could never match",
          "[policy][loader][errors]") {
  for (const char* field : {"roles", "clusterRoles"}) {
    INFO(field);
    PolicyError error =
        refusal_of(edited(keyed_policy(), "          kinds: [Pod]\n",
                          "          kinds: [Pod]\n        " + std::string(field) + ": [\"ci:deployer\"]\n"));
    CHECK(error.field_path == std::string("spec.rules[0].match.any[0].") + field);
    CHECK_THAT(error.message, Catch::Contains("not supported by signet yet"));
  }
}

TEST_CASE("a registry secret name that is not a Kubernetes name is refused", "[policy][loader][errors]") {
  // The name also names a folder: nothing may climb out of the secrets folder.
  for (const std::string name : {"../etc", "Regcred", "a/b", "-x"}) {
    PolicyError error =
        refusal_of(keyed_policy("      imageRegistryCredentials:\n        secrets: [\"" + name + "\"]\n"));
    CHECK(error.field_path == kEntryPath + ".imageRegistryCredentials.secrets");
    CHECK_THAT(error.message, Catch::Contains("is not a valid secret name"));
  }
}

TEST_CASE("attestations and their conditions are refused where they are malformed", "[policy][loader][errors]") {
  struct Case {
    std::string attestation, path, message;
  };
  const std::string at = kEntryPath + ".attestations[0]";
  const std::vector<Case> cases = {
      {"      - conditions: []\n", at, "type is required: the predicate type to verify"},
      {"      - type: t\n        conditions:\n        - all:\n          - key: a\n            operator: Equalz\n"
       "            value: b\n",
       at + ".conditions[0].all[0].operator", "unknown operator \"Equalz\""},
      {"      - type: t\n        conditions:\n        - any: []\n", at + ".conditions[0].any",
       "an empty any never holds: remove it or list conditions"},
      {"      - type: t\n        conditions:\n        - none: []\n", at + ".conditions[0].none", "unknown field"},
  };
  for (const auto& c : cases) {
    PolicyError error = refusal_of(keyed_policy("      attestations:\n" + c.attestation));
    CHECK(error.field_path == c.path);
    CHECK_THAT(error.message, Catch::StartsWith(c.message));
  }
}

TEST_CASE("an attestation with no attestors anywhere is refused: it would trust any Fulcio certificate",
          "[policy][loader][errors]") {
  const std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: attested
spec:
  validationFailureAction: Enforce
  rules:
  - name: provenance
    match:
      any:
      - resources:
          kinds: [Pod]
    verifyImages:
    - imageReferences: ["registry.example/*"]
      attestations:
      - type: https://slsa.dev/provenance/v1
)";
  PolicyError error = refusal_of(yaml);
  CHECK(error.field_path == kEntryPath + ".attestations[0]");
  CHECK_THAT(error.message, Catch::Contains("an attestation needs attestors"));
}

TEST_CASE("an imageExtractors jmesPath that does not compile is refused with its error", "[policy][loader][errors]") {
  PolicyError error = refusal_of(edited(keyed_policy(), "    match:\n",
                                        "    imageExtractors:\n      Task:\n      - path: /spec/steps/*/image\n"
                                        "        jmesPath: \"trim_prefix(@, \"\n    match:\n"));
  CHECK(error.field_path == "spec.rules[0].imageExtractors.Task[0].jmesPath");
  CHECK_THAT(error.message, Catch::StartsWith("syntax"));
}
