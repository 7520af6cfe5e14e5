// Good policies of every shape signet honours, read into the model with Kyverno's defaults.
#include <algorithm>

#include <catch2/catch.hpp>

#include "loader_test_support.hpp"

using namespace signet::policy;
using namespace signet::policy::testing;

TEST_CASE("a keyed ClusterPolicy loads with Kyverno's defaults filled in", "[policy][loader]") {
  Policy policy = load_one(keyed_policy());

  CHECK(policy.kind == PolicyKind::ClusterPolicy);
  CHECK(policy.name == "check-images");
  CHECK(policy.namespace_name.empty());
  CHECK(policy.display_name() == "check-images");
  CHECK(policy.document == 1);
  CHECK(policy.file.ends_with("policy.yaml"));
  CHECK(policy.validation_failure_action == FailureAction::Enforce);
  CHECK(policy.failure_policy == FailurePolicy::Fail);
  CHECK(policy.background);
  CHECK(policy.admission);
  CHECK_FALSE(policy.emit_warning);
  CHECK_FALSE(policy.webhook_timeout_seconds);
  CHECK(policy.autogen_controllers == std::vector<std::string>{"DaemonSet", "Deployment", "Job", "StatefulSet",
                                                               "ReplicaSet", "ReplicationController", "CronJob"});

  REQUIRE(policy.rules.size() == 1);
  const Rule& rule = policy.rules[0];
  CHECK(rule.name == "verify-signature");
  CHECK(rule.skip_background_requests);
  CHECK_FALSE(rule.exclude);
  REQUIRE(rule.match.any.size() == 1);
  CHECK(rule.match.any[0].resources.kinds == std::vector<std::string>{"Pod"});
  CHECK(rule.match.all.empty());

  REQUIRE(rule.verify_images.size() == 1);
  const ImageVerification& iv = rule.verify_images[0];
  CHECK(iv.type == VerificationType::Cosign);
  CHECK(iv.image_references == std::vector<std::string>{"registry.example/team/*"});
  CHECK(iv.skip_image_references.empty());
  CHECK(iv.repository.empty());
  CHECK(iv.mutate_digest);
  CHECK(iv.verify_digest);
  CHECK(iv.required);
  CHECK(iv.use_cache);
  CHECK_FALSE(iv.failure_action);
  CHECK(policy.failure_action_of(rule) == FailureAction::Enforce);
  CHECK(iv.fingerprint.size() == 64);
  CHECK(iv.fingerprint.find_first_not_of("0123456789abcdef") == std::string::npos);

  REQUIRE(iv.attestors.size() == 1);
  const AttestorSet& set = iv.attestors[0];
  CHECK_FALSE(set.count);
  REQUIRE(set.entries.size() == 1);
  CHECK(set.required_count() == 1);
  const Attestor& attestor = set.entries[0];
  CHECK_FALSE(attestor.attestor);
  CHECK(attestor.annotations.empty());
  CHECK(attestor.repository.empty());
  REQUIRE(attestor.keys);
  CHECK(attestor.keys->public_keys_pem.find("BEGIN PUBLIC KEY") != std::string::npos);
  REQUIRE(attestor.keys->public_keys.size() == 1);
  CHECK(attestor.keys->public_keys[0].description() == "ECDSA P-256");
  CHECK(attestor.keys->signature_algorithm == "sha256");
  CHECK(attestor.keys->rekor.url == "https://rekor.sigstore.dev");
  CHECK_FALSE(attestor.keys->rekor.ignore_tlog);
  CHECK_FALSE(attestor.keys->ctlog.ignore_sct);
}

TEST_CASE("every field signet honours is read into the model", "[policy][loader]") {
  std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: full
  labels:
    team: platform
  annotations:
    pod-policies.kyverno.io/autogen-controllers: Deployment, StatefulSet
spec:
  validationFailureAction: Audit
  failurePolicy: Ignore
  background: false
  emitWarning: true
  webhookTimeoutSeconds: 15
  schemaValidation: false
  rules:
  - name: verify
    skipBackgroundRequests: false
    reportProperties:
      owner: security
    match:
      all:
      - resources:
          kinds: ["apps/v1/Deployment", "Pod"]
          names: ["web-*"]
          namespaces: ["prod", "stage-?"]
          operations: [CREATE, UPDATE]
          annotations:
            signet.dev/check: "yes"
          selector:
            matchLabels:
              app: web
            matchExpressions:
            - key: tier
              operator: In
              values: [frontend, backend]
            - key: canary
              operator: DoesNotExist
        subjects:
        - kind: ServiceAccount
          name: deployer
          namespace: ci
    exclude:
      any:
      - resources:
          namespaces: [kube-system]
      - subjects:
        - kind: Group
          name: system:masters
    verifyImages:
    - imageReferences: ["ghcr.io/acme/*", "registry.example/*"]
      skipImageReferences: ["ghcr.io/acme/debug*"]
      repository: registry.example/signatures
      mutateDigest: false
      verifyDigest: false
      required: false
      useCache: false
      failureAction: Enforce
      validate:
        message: images must be signed by the release key
      attestors:
      - count: 1
        entries:
        - signatureAlgorithm: sha384
          repository: registry.example/other-signatures
          annotations:
            env: prod
          keys:
            publicKeys: |-
)" + indent(kKeyA, 14) +
                     R"(            signatureAlgorithm: sha512
            rekor:
              url: https://rekor.internal.example
              ignoreTlog: true
            ctlog:
              ignoreSCT: true
        - attestor:
            count: 1
            entries:
            - keys:
                publicKeys: |
)" + indent(kEd25519Key, 18) +
                     R"(            - keys:
                publicKeys: |
)" + indent(kKeyB, 18);
  Policy policy = load_one(yaml);

  CHECK(policy.labels == std::map<std::string, std::string>{{"team", "platform"}});
  CHECK(policy.autogen_controllers == std::vector<std::string>{"Deployment", "StatefulSet"});
  CHECK(policy.validation_failure_action == FailureAction::Audit);
  CHECK(policy.failure_policy == FailurePolicy::Ignore);
  CHECK_FALSE(policy.background);
  CHECK(policy.emit_warning);
  CHECK(policy.webhook_timeout_seconds == 15);

  REQUIRE(policy.rules.size() == 1);
  const Rule& rule = policy.rules[0];
  CHECK_FALSE(rule.skip_background_requests);
  REQUIRE(rule.match.all.size() == 1);
  const ResourceDescription& resources = rule.match.all[0].resources;
  CHECK(resources.kinds == std::vector<std::string>{"apps/v1/Deployment", "Pod"});
  CHECK(resources.names == std::vector<std::string>{"web-*"});
  CHECK(resources.namespaces == std::vector<std::string>{"prod", "stage-?"});
  CHECK(resources.operations == std::vector<std::string>{"CREATE", "UPDATE"});
  CHECK(resources.annotations == std::map<std::string, std::string>{{"signet.dev/check", "yes"}});
  REQUIRE(resources.selector);
  CHECK(resources.selector->match_labels == std::map<std::string, std::string>{{"app", "web"}});
  REQUIRE(resources.selector->match_expressions.size() == 2);
  CHECK(resources.selector->match_expressions[0].key == "tier");
  CHECK(resources.selector->match_expressions[0].op == LabelSelectorRequirement::Operator::In);
  CHECK(resources.selector->match_expressions[0].values == std::vector<std::string>{"frontend", "backend"});
  CHECK(resources.selector->match_expressions[1].op == LabelSelectorRequirement::Operator::DoesNotExist);
  CHECK_FALSE(resources.namespace_selector);
  const UserInfoFilter& user = rule.match.all[0].user_info;
  REQUIRE(user.subjects.size() == 1);
  CHECK(user.subjects[0].kind == "ServiceAccount");
  CHECK(user.subjects[0].name == "deployer");
  CHECK(user.subjects[0].namespace_name == "ci");
  CHECK(user.roles.empty());

  REQUIRE(rule.exclude);
  REQUIRE(rule.exclude->any.size() == 2);
  CHECK(rule.exclude->any[0].resources.namespaces == std::vector<std::string>{"kube-system"});
  CHECK(rule.exclude->any[0].resources.kinds.empty());
  REQUIRE(rule.exclude->any[1].user_info.subjects.size() == 1);
  CHECK(rule.exclude->any[1].user_info.subjects[0].name == "system:masters");

  REQUIRE(rule.verify_images.size() == 1);
  const ImageVerification& iv = rule.verify_images[0];
  CHECK(iv.image_references == std::vector<std::string>{"ghcr.io/acme/*", "registry.example/*"});
  CHECK(iv.skip_image_references == std::vector<std::string>{"ghcr.io/acme/debug*"});
  CHECK(iv.repository == "registry.example/signatures");
  CHECK_FALSE(iv.mutate_digest);
  CHECK_FALSE(iv.verify_digest);
  CHECK_FALSE(iv.required);
  CHECK_FALSE(iv.use_cache);
  CHECK(iv.failure_action == FailureAction::Enforce);
  CHECK(policy.failure_action_of(rule) == FailureAction::Enforce);
  CHECK(iv.validate_message == "images must be signed by the release key");

  REQUIRE(iv.attestors.size() == 1);
  const AttestorSet& set = iv.attestors[0];
  CHECK(set.count == 1);
  CHECK(set.required_count() == 1);
  REQUIRE(set.entries.size() == 2);
  const Attestor& keyed = set.entries[0];
  REQUIRE(keyed.keys);
  CHECK(keyed.keys->signature_algorithm == "sha512");  // keys.signatureAlgorithm wins, as in Kyverno
  CHECK(keyed.keys->rekor.url == "https://rekor.internal.example");
  CHECK(keyed.keys->rekor.ignore_tlog);
  CHECK(keyed.keys->ctlog.ignore_sct);
  CHECK(keyed.repository == "registry.example/other-signatures");
  CHECK(keyed.annotations == std::map<std::string, std::string>{{"env", "prod"}});

  const Attestor& nested = set.entries[1];
  CHECK_FALSE(nested.keys);
  REQUIRE(nested.attestor);
  CHECK(nested.attestor->count == 1);
  REQUIRE(nested.attestor->entries.size() == 2);
  REQUIRE(nested.attestor->entries[0].keys);
  REQUIRE(nested.attestor->entries[0].keys->public_keys.size() == 1);
  CHECK(nested.attestor->entries[0].keys->public_keys[0].description() == "Ed25519");
}

TEST_CASE("the entry's signatureAlgorithm applies when keys names none", "[policy][loader]") {
  // Ten spaces: a field of the entry, beside keys.
  Policy policy = load_one(keyed_policy("", "          signatureAlgorithm: sha224\n"));
  const Attestor& attestor = policy.rules[0].verify_images[0].attestors[0].entries[0];
  REQUIRE(attestor.keys);
  CHECK(attestor.keys->signature_algorithm == "sha224");
}

TEST_CASE("a namespaced Policy keeps its namespace for its rules", "[policy][loader]") {
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("kind: ClusterPolicy"), 19, "kind: Policy");
  yaml.replace(yaml.find("  name: check-images\n"), 21, "  name: check-images\n  namespace: team-a\n");
  Policy policy = load_one(yaml);
  CHECK(policy.kind == PolicyKind::Policy);
  CHECK(policy.namespace_name == "team-a");
  CHECK(policy.display_name() == "team-a/check-images");
}

TEST_CASE("legacy match.resources, subjects and the single name are read as Kyverno reads them", "[policy][loader]") {
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("      any:\n      - resources:\n          kinds: [Pod]\n"),
               std::string_view("      any:\n      - resources:\n          kinds: [Pod]\n").size(),
               "      resources:\n        kinds: [Pod]\n        name: web\n      subjects:\n      - kind: User\n       "
               " name: admin\n");
  Policy policy = load_one(yaml);
  const MatchResources& match = policy.rules[0].match;
  CHECK(match.any.empty());
  CHECK(match.resources.kinds == std::vector<std::string>{"Pod"});
  CHECK(match.resources.names == std::vector<std::string>{"web"});
  REQUIRE(match.user_info.subjects.size() == 1);
  CHECK(match.user_info.subjects[0].name == "admin");
}

TEST_CASE("several keys in one publicKeys count as one entry each, as Kyverno expands them", "[policy][loader]") {
  std::string both = std::string(kKeyA) + std::string(kKeyB);
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find(indent(kKeyA, 14)), indent(kKeyA, 14).size(), indent(both, 14));

  SECTION("without count every key must verify") {
    Policy policy = load_one(yaml);
    const AttestorSet& set = policy.rules[0].verify_images[0].attestors[0];
    REQUIRE(set.entries.size() == 2);
    CHECK(set.required_count() == 2);
    REQUIRE(set.entries[0].keys->public_keys.size() == 1);
    REQUIRE(set.entries[1].keys->public_keys.size() == 1);
    CHECK_FALSE(set.entries[0].keys->public_keys[0] == set.entries[1].keys->public_keys[0]);
  }
  SECTION("count 1 lets any one of them verify") {
    yaml.replace(yaml.find("      - entries:\n"), 17, "      - count: 1\n        entries:\n");
    Policy policy = load_one(yaml);
    const AttestorSet& set = policy.rules[0].verify_images[0].attestors[0];
    CHECK(set.entries.size() == 2);
    CHECK(set.required_count() == 1);
  }
}

TEST_CASE("the deprecated image and key fields become imageReferences and an attestor", "[policy][loader]") {
  std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: old-style
spec:
  validationFailureAction: enforce
  rules:
  - name: check
    match:
      resources:
        kinds: [Pod]
    verifyImages:
    - image: "ghcr.io/acme/*"
      annotations:
        owner: acme
      key: |-
)" + indent(kKeyB, 8);
  Policy policy = load_one(yaml);
  const ImageVerification& iv = policy.rules[0].verify_images[0];
  CHECK(iv.image_references == std::vector<std::string>{"ghcr.io/acme/*"});
  REQUIRE(iv.attestors.size() == 1);
  REQUIRE(iv.attestors[0].entries.size() == 1);
  const Attestor& attestor = iv.attestors[0].entries[0];
  REQUIRE(attestor.keys);
  REQUIRE(attestor.keys->public_keys.size() == 1);
  CHECK(attestor.annotations == std::map<std::string, std::string>{{"owner", "acme"}});
}

TEST_CASE("a key in a folded double-quoted YAML string is still read", "[policy][loader]") {
  // Kyverno's own examples write keys this way; folding turns the line break inside the END line
  // into a space.
  std::string body(kKeyA.substr(27, kKeyA.size() - 27 - 25));
  std::string quoted = "\"-----BEGIN PUBLIC KEY-----\\n" + body.substr(0, 64) + "\\n" + body.substr(65, 60) +
                       "\\n-----END\n        PUBLIC KEY----- \"\n";
  std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: folded
spec:
  validationFailureAction: Enforce
  rules:
  - name: check
    match:
      any:
      - resources:
          kinds: [Pod]
    verifyImages:
    - image: "*"
      key: )" + quoted;
  Policy policy = load_one(yaml);
  const auto& keys = policy.rules[0].verify_images[0].attestors[0].entries[0].keys;
  REQUIRE(keys);
  REQUIRE(keys->public_keys.size() == 1);
  CHECK(keys->public_keys[0].description() == "ECDSA P-256");
}

TEST_CASE("verifyImages annotations apply to every attestor without its own", "[policy][loader]") {
  Policy policy = load_one(keyed_policy("      annotations:\n        build: release\n"));
  const Attestor& attestor = policy.rules[0].verify_images[0].attestors[0].entries[0];
  CHECK(attestor.annotations == std::map<std::string, std::string>{{"build", "release"}});
}

TEST_CASE("lowercase enforce and audit are Kyverno's other spellings of the failure actions", "[policy][loader]") {
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("validationFailureAction: Enforce"), 32, "validationFailureAction: enforce");
  CHECK(load_one(yaml).validation_failure_action == FailureAction::Enforce);

  yaml = keyed_policy("      mutateDigest: false\n");
  yaml.replace(yaml.find("validationFailureAction: Enforce"), 32, "validationFailureAction: audit");
  CHECK(load_one(yaml).validation_failure_action == FailureAction::Audit);
}

TEST_CASE("a per-entry failureAction overrides the policy's", "[policy][loader]") {
  Policy policy = load_one(keyed_policy("      failureAction: Audit\n      mutateDigest: false\n"));
  CHECK(policy.validation_failure_action == FailureAction::Enforce);
  CHECK(policy.failure_action_of(policy.rules[0]) == FailureAction::Audit);
}

TEST_CASE("the autogen annotation none turns pod-controller rules off", "[policy][loader]") {
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("  name: check-images\n"), 21,
               "  name: check-images\n  annotations:\n    pod-policies.kyverno.io/autogen-controllers: none\n");
  CHECK(load_one(yaml).autogen_controllers.empty());
}

TEST_CASE("webhookConfiguration sets the timeout and the failure policy", "[policy][loader]") {
  Policy policy =
      load_one(keyed_policy("", "", "  webhookConfiguration:\n    timeoutSeconds: 7\n    failurePolicy: Ignore\n"));
  CHECK(policy.webhook_timeout_seconds == 7);
  CHECK(policy.failure_policy == FailurePolicy::Ignore);
}

TEST_CASE("a verifyImages entry without attestors is kept for its digest checks", "[policy][loader]") {
  std::string yaml = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: pin-digests
spec:
  rules:
  - name: pin
    match:
      any:
      - resources:
          kinds: [Pod]
    verifyImages:
    - imageReferences: ["*"]
      failureAction: Enforce
      required: false
)";
  Policy policy = load_one(yaml);
  const ImageVerification& iv = policy.rules[0].verify_images[0];
  CHECK(iv.attestors.empty());
  CHECK(iv.mutate_digest);
  CHECK_FALSE(iv.required);
}

TEST_CASE("validate, mutate and generate rules are dropped with a note; the policy is kept", "[policy][loader]") {
  std::string yaml = keyed_policy() + R"(  - name: require-labels
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: labels please
      pattern:
        metadata:
          labels:
            app: "?*"
  - name: add-label
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            signed: "true"
)";
  LoadReport report = load_text(yaml);
  REQUIRE(report.errors.empty());
  REQUIRE(report.accepted.size() == 1);
  REQUIRE(report.accepted[0].rules.size() == 1);
  CHECK(report.accepted[0].rules[0].name == "verify-signature");
  REQUIRE(report.notes.size() == 2);
  CHECK_THAT(report.notes[0],
             Catch::Contains("rule require-labels: validate rules are not evaluated by signet; skipped"));
  CHECK_THAT(report.notes[1], Catch::Contains("rule add-label: mutate rules are not evaluated by signet; skipped"));
  CHECK_THAT(report.notes[0], Catch::Contains("document 1 (ClusterPolicy check-images)"));
}

TEST_CASE("kyverno.io/v2beta1 policies and signet's own ClusterImagePolicy load like v1 ones", "[policy][loader]") {
  std::string yaml = keyed_policy();
  yaml.replace(yaml.find("kyverno.io/v1"), 13, "kyverno.io/v2beta1");
  CHECK(load_one(yaml).name == "check-images");

  yaml = keyed_policy();
  yaml.replace(yaml.find("apiVersion: kyverno.io/v1\nkind: ClusterPolicy"), 45,
               "apiVersion: signet.dev/v1alpha1\nkind: ClusterImagePolicy");
  CHECK(load_one(yaml).kind == PolicyKind::ClusterPolicy);
}

TEST_CASE("fingerprints change with what decides a verdict and only with that", "[policy][loader][fingerprint]") {
  auto fingerprint = [](const std::string& yaml) { return load_one(yaml).rules[0].verify_images[0].fingerprint; };
  const std::string base = fingerprint(keyed_policy());

  CHECK(fingerprint(keyed_policy()) == base);
  // Same key, other PEM layout: the key's DER is what counts.
  std::string spaced = keyed_policy();
  spaced.replace(spaced.find("publicKeys: |-"), 14, "publicKeys: |+");
  CHECK(fingerprint(spaced) == base);

  // What does not change the verdict for a digest.
  CHECK(fingerprint(keyed_policy("      useCache: false\n")) == base);
  CHECK(fingerprint(keyed_policy("      mutateDigest: false\n")) == base);
  CHECK(fingerprint(keyed_policy("      failureAction: Audit\n      mutateDigest: false\n")) == base);

  // What does.
  std::string other_key = keyed_policy();
  other_key.replace(other_key.find(indent(kKeyA, 14)), indent(kKeyA, 14).size(), indent(kKeyB, 14));
  CHECK(fingerprint(other_key) != base);
  CHECK(fingerprint(keyed_policy("", "            rekor:\n              ignoreTlog: true\n")) != base);
  CHECK(fingerprint(keyed_policy("", "            signatureAlgorithm: sha512\n")) != base);
  CHECK(fingerprint(keyed_policy("      repository: registry.example/sigs\n")) != base);
  CHECK(fingerprint(keyed_policy("      required: false\n")) != base);
  CHECK(fingerprint(keyed_policy("      skipImageReferences: [\"registry.example/team/dev\"]\n")) != base);
  CHECK(fingerprint(keyed_policy("      annotations:\n        a: b\n")) != base);
  // Other credentials may see other signatures.
  const std::string with_secret =
      fingerprint(keyed_policy("      imageRegistryCredentials:\n        secrets: [regcred]\n"));
  CHECK(with_secret != base);
  CHECK(fingerprint(keyed_policy("      imageRegistryCredentials:\n        secrets: [other]\n")) != with_secret);
}

TEST_CASE("imageRegistryCredentials names the secrets an entry reads the registry with", "[policy][loader]") {
  const Policy policy =
      load_one(keyed_policy("      imageRegistryCredentials:\n        providers: [default]\n"
                            "        secrets: [regcred, team.pull-secret]\n"));
  const auto& credentials = policy.rules[0].verify_images[0].image_registry_credentials;
  REQUIRE(credentials);
  CHECK(credentials->secrets == std::vector<std::string>{"regcred", "team.pull-secret"});
  CHECK(credentials->providers == std::vector<std::string>{"default"});
  CHECK_FALSE(credentials->allow_insecure_registry);
}

TEST_CASE("a dropped rule that keeps Kyverno from autogen empties the autogen controllers", "[policy][loader]") {
  const std::string generate = R"(  - name: make-quota
    match:
      any:
      - resources:
          kinds: [Namespace]
    generate:
      kind: ResourceQuota
      name: quota
      namespace: "{{request.object.metadata.name}}"
)";
  CHECK(load_one(keyed_policy() + generate).autogen_controllers.empty());

  const std::string by_name = R"(  - name: web-labels
    match:
      any:
      - resources:
          kinds: [Pod]
          names: [web]
    validate:
      pattern:
        metadata:
          labels:
            app: web
)";
  CHECK(load_one(keyed_policy() + by_name).autogen_controllers.empty());

  const std::string mixed_kinds = R"(  - name: labels
    match:
      any:
      - resources:
          kinds: ["v1/Pod", "Service"]
    validate:
      pattern:
        metadata:
          labels:
            app: "?*"
)";
  CHECK(load_one(keyed_policy() + mixed_kinds).autogen_controllers.empty());

  const std::string harmless = R"(  - name: labels
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      pattern:
        metadata:
          labels:
            app: "?*"
)";
  CHECK(load_one(keyed_policy() + harmless).autogen_controllers.size() == 7);
}

TEST_CASE("attestations load with their conditions, and conditions are part of the fingerprint",
          "[policy][loader][attestations]") {
  const auto attested = [](const std::string& key, const std::string& value) {
    return keyed_policy(
        "      attestations:\n"
        "      - type: https://slsa.dev/provenance/v1\n"
        "        conditions:\n"
        "        - all:\n"
        "          - key: \"" +
        key +
        "\"\n"
        "            operator: Equals\n"
        "            value: " +
        value +
        "\n"
        "            message: wrong builder\n"
        "          any:\n"
        "          - key: 3\n"
        "            operator: GreaterThan\n"
        "            value: 2\n");
  };
  const Policy policy = load_one(attested("{{ builder.id }}", "ci"));
  const auto& entry = policy.rules[0].verify_images[0];
  REQUIRE(entry.attestations.size() == 1);
  const Attestation& attestation = entry.attestations[0];
  CHECK(attestation.predicate_type == "https://slsa.dev/provenance/v1");
  CHECK(attestation.attestors.empty());  // verified with the entry's attestors
  REQUIRE(attestation.conditions.size() == 1);
  const auto& block = attestation.conditions[0];
  REQUIRE(block.all.size() == 1);
  CHECK(block.all[0].key == json::Value("{{ builder.id }}"));
  CHECK(block.all[0].op == ConditionOperator::Equals);
  CHECK(block.all[0].message == "wrong builder");
  REQUIRE(block.any.size() == 1);
  CHECK(block.any[0].key == json::Value(3));  // YAML scalars keep their types
  CHECK_FALSE(entry.verdict_depends_on_request);

  CHECK(load_one(attested("{{ builder.id }}", "other")).rules[0].verify_images[0].fingerprint != entry.fingerprint);
  // A condition on the admission makes the verdict the admission's own.
  CHECK(load_one(attested("{{ request.namespace }}", "ci")).rules[0].verify_images[0].verdict_depends_on_request);
  CHECK(load_one(attested("{{ image.tag }}", "v1")).rules[0].verify_images[0].verdict_depends_on_request);
}

TEST_CASE("the older predicateType names the attestation's type", "[policy][loader][attestations]") {
  const Policy policy =
      load_one(keyed_policy("      attestations:\n      - predicateType: https://spdx.dev/Document\n"));
  CHECK(policy.rules[0].verify_images[0].attestations[0].predicate_type == "https://spdx.dev/Document");
}
