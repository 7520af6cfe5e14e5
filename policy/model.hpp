// The policy model: Kyverno `kyverno.io/v1` ClusterPolicy / Policy documents as plain values, holding
// only what signet honours, already validated and with Kyverno's defaults filled in. The loader builds
// these once; the engine reads them per request and never parses YAML or PEM itself.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/public_key.hpp"
#include "policy/conditions/conditions.hpp"

namespace re2 {
class RE2;
}

namespace signet::policy {

// spec.validationFailureAction / verifyImages[].failureAction. Kyverno accepts "Enforce", "enforce",
// "Audit" and "audit"; its default is Audit.
enum class FailureAction { Enforce, Audit };

inline std::optional<FailureAction> parse_failure_action(std::string_view text) {
  if (text == "Enforce" || text == "enforce") return FailureAction::Enforce;
  if (text == "Audit" || text == "audit") return FailureAction::Audit;
  return std::nullopt;
}

inline const char* to_string(FailureAction action) { return action == FailureAction::Enforce ? "Enforce" : "Audit"; }

// spec.failurePolicy: what the API server does when the webhook cannot answer. Default Fail.
enum class FailurePolicy { Fail, Ignore };

enum class PolicyKind { ClusterPolicy, Policy };

// metav1.LabelSelectorRequirement.
struct LabelSelectorRequirement {
  enum class Operator { In, NotIn, Exists, DoesNotExist };
  std::string key;
  Operator op = Operator::In;
  std::vector<std::string> values;  // non-empty for In/NotIn, empty for Exists/DoesNotExist (checked at load)

  bool operator==(const LabelSelectorRequirement&) const = default;
};

// metav1.LabelSelector: every matchLabels pair and every matchExpressions requirement must hold.
struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  bool operator==(const LabelSelector&) const = default;
};

// rbacv1.Subject: kind is "User", "Group" or "ServiceAccount" (namespace_name set for ServiceAccount).
struct Subject {
  std::string kind;
  std::string name;
  std::string namespace_name;
  std::string api_group;

  bool operator==(const Subject&) const = default;
};

// Kyverno's UserInfo filter (named apart from admission.hpp's UserInfo, which describes the requester).
struct UserInfoFilter {
  std::vector<std::string> roles;  // "namespace:role"
  std::vector<std::string> cluster_roles;
  std::vector<Subject> subjects;

  bool empty() const { return roles.empty() && cluster_roles.empty() && subjects.empty(); }
  bool operator==(const UserInfoFilter&) const = default;
};

// Kyverno's ResourceDescription. Every non-empty part must match. Patterns may use '*' and '?'.
struct ResourceDescription {
  // As written: "Pod", "apps/v1/Deployment", "apps/*/Deployment", "v1/Pod", "*", "Pod/status".
  std::vector<std::string> kinds;
  std::vector<std::string> names;  // the deprecated single `name` is folded in here
  std::vector<std::string> namespaces;
  std::map<std::string, std::string> annotations;  // values may hold wildcards
  std::optional<LabelSelector> selector;
  // Refused at load today (needs the API server's namespace labels); always nullopt.
  std::optional<LabelSelector> namespace_selector;
  std::vector<std::string> operations;  // "CREATE", "UPDATE", "DELETE", "CONNECT"

  bool empty() const {
    return kinds.empty() && names.empty() && namespaces.empty() && annotations.empty() && !selector &&
           !namespace_selector && operations.empty();
  }
  bool operator==(const ResourceDescription&) const = default;
};

// One element of match.any / match.all (and exclude.any / exclude.all).
struct ResourceFilter {
  UserInfoFilter user_info;
  ResourceDescription resources;

  bool operator==(const ResourceFilter&) const = default;
};

// match / exclude. Either any/all, or the legacy direct form (resources + user info), as Kyverno allows.
struct MatchResources {
  std::vector<ResourceFilter> any;  // at least one must match
  std::vector<ResourceFilter> all;  // every one must match
  UserInfoFilter user_info;         // legacy: subjects / roles / clusterRoles directly under match
  ResourceDescription resources;    // legacy: match.resources

  bool empty() const { return any.empty() && all.empty() && user_info.empty() && resources.empty(); }
};

// keys / keyless / certificates .rekor.
struct Rekor {
  std::string url = "https://rekor.sigstore.dev";
  std::string pubkey;                      // as written; "" = the trusted root's logs
  std::vector<crypto::PublicKey> pubkeys;  // pubkey parsed: replaces the trusted root's Rekor logs
  bool ignore_tlog = false;                // true: no transparency-log entry is required
};

// keys / keyless / certificates .ctlog.
struct CTLog {
  bool ignore_sct = false;
  std::string pubkey;                          // as written; "" = the trusted root's CT logs
  std::vector<crypto::PublicKey> pubkeys;      // pubkey parsed: replaces the trusted root's CT logs
  std::string tsa_cert_chain;                  // as written; "" = the trusted root's TSAs
  std::vector<crypto::Certificate> tsa_chain;  // parsed, leaf first: replaces the trusted root's TSAs
};

// attestors[].entries[].keys: one or several PEM public keys.
struct StaticKeyAttestor {
  std::string public_keys_pem;  // as written in publicKeys (one or several PEM blocks)
  // publicKeys parsed by the loader, in order (several PEM blocks expand into several attestors, as
  // Kyverno's expandStaticKeys does); the engine never parses PEM per request.
  std::vector<crypto::PublicKey> public_keys;
  std::string signature_algorithm = "sha256";  // sha224, sha256, sha384, sha512
  Rekor rekor;                                 // defaults when the policy has no rekor
  CTLog ctlog;
};

// attestors[].entries[].keyless: a certificate from a Fulcio CA (the trusted root's, or `roots`) whose
// identity matches. `subject` and `issuer` take Kyverno's wildcards; the regular expressions are RE2
// (Go's syntax), matched anywhere in the value as Go's MatchString does.
struct KeylessAttestor {
  std::string subject;
  std::string subject_regexp;
  std::string issuer;
  std::string issuer_regexp;
  std::shared_ptr<const re2::RE2> subject_pattern;  // subject_regexp compiled; null when empty
  std::shared_ptr<const re2::RE2> issuer_pattern;
  std::string roots_pem;                   // as written
  std::vector<crypto::Certificate> roots;  // parsed: replace the trusted root's Fulcio CAs
  // Fulcio extension name (githubWorkflowTrigger, …, or a v2 name such as sourceRepositoryURI) or dotted
  // OID → wanted value, with wildcards.
  std::map<std::string, std::string> additional_extensions;
  Rekor rekor;
  CTLog ctlog;
};

// attestors[].entries[].certificates: bring-your-own PKI. `cert` verifies the signature; `certChain`
// (without cert) holds the roots the signature's own certificate must chain to.
struct CertificateAttestor {
  std::string cert_pem;  // as written
  std::optional<crypto::Certificate> cert;
  std::string cert_chain_pem;                   // as written
  std::vector<crypto::Certificate> cert_chain;  // parsed, in order
  Rekor rekor;
  CTLog ctlog;
};

struct AttestorSet;

// attestors[].entries[]: exactly one of keys, keyless, certificates or a nested attestor set; `keys` holds
// at most one key (AttestorSet::add).
struct Attestor {
  std::optional<StaticKeyAttestor> keys;
  std::optional<KeylessAttestor> keyless;
  std::optional<CertificateAttestor> certificates;
  std::shared_ptr<const AttestorSet> attestor;     // the nested set, parsed; null when absent
  std::map<std::string, std::string> annotations;  // required in the signature payload's optional claims
  std::string repository;                          // "" = the rule's repository (or the image's)
  // Where the entry was written, for messages: its index in entries[] as written, and which of the keys
  // of its publicKeys it holds ("key 2 of 3").
  std::size_t written_index = 0;
  std::size_t key_number = 1;
  std::size_t key_count = 1;
};

// attestors[]: `count` of `entries` must verify (all of them when count is absent).
struct AttestorSet {
  std::optional<int> count;
  std::vector<Attestor> entries;

  int required_count() const { return count && *count > 0 ? *count : static_cast<int>(entries.size()); }

  // Adds an entry as written in a policy. Kyverno's expandStaticKeys: an entry whose publicKeys holds
  // several keys counts as one entry per key. Every set is built through this, so it happens once.
  void add(Attestor attestor);
};

// verifyImages[].attestations[]: in-toto statements of `predicate_type` (Kyverno's `type`, or the older
// `predicateType`) signed by `attestors` (the entry's when empty), each satisfying every condition block.
struct Attestation {
  std::string name;
  std::string predicate_type;
  std::vector<AttestorSet> attestors;
  // Keys and values as written: their {{ }} variables are substituted for each statement, with the
  // predicate's fields at the root as Kyverno exposes them.
  std::vector<ConditionBlock> conditions;
  // The rule's context entries by name (Rule::context_values), which the conditions see beside the request.
  json::Value context;
};

// verifyImages[].imageRegistryCredentials: `secrets` are honoured; other providers than "default" and
// allowInsecureRegistry are refused at load.
struct ImageRegistryCredentials {
  bool allow_insecure_registry = false;
  std::vector<std::string> providers;
  std::vector<std::string> secrets;
};

// Cosign: cosign's `.sig` / `.att` tags. SigstoreBundle: sigstore bundles attached as OCI 1.1 referrers
// (cosign's new bundle format, GitHub's artifact attestations). Notary is refused at load today.
enum class VerificationType { Cosign, SigstoreBundle, Notary };

// One entry of a rule's verifyImages, with Kyverno's defaults.
struct ImageVerification {
  VerificationType type = VerificationType::Cosign;
  std::vector<std::string> image_references;  // at least one; '*' and '?' wildcards
  std::vector<std::string> skip_image_references;
  std::vector<AttestorSet> attestors;
  std::vector<Attestation> attestations;  // always empty today
  std::string repository;                 // "" = signatures live beside the image
  bool mutate_digest = true;
  bool verify_digest = true;
  bool required = true;
  bool use_cache = true;
  bool cosign_oci11 = false;  // refused at load when true
  std::optional<ImageRegistryCredentials> image_registry_credentials;
  std::optional<FailureAction> failure_action;  // overrides the policy's validationFailureAction
  std::string validate_message;                 // validate.message (validate.deny is refused today)

  // Lower-case hex sha256 over a canonical serialisation of everything above that decides a verdict
  // (not use_cache, mutate_digest or failure_action): equal fingerprints mean equal verdicts for an image.
  std::string fingerprint;
  // Some attestation condition reads the admission ({{request.…}}, {{images.…}}, {{image.…}}): its verdict
  // belongs to one admission, so it is not cached.
  bool verdict_depends_on_request = false;
};

// rule.imageExtractors[kind][]: where images are in resources that are not pods (Kyverno's
// ImageExtractorConfig). `path` is slash-separated with `*` for every item of a list or map.
struct ImageExtractor {
  std::vector<std::string> fields;  // `path` split, without the last field when `value` was not given
  std::string value;                // the image field (default: the path's last field)
  std::string name;                 // images.<name> in the variables (default "custom")
  std::string key;                  // a field naming each image uniquely (default: its JSON pointer)
  std::string jmes_path;            // applied to the image text; "" = none
};

// k8s-manifest-sigstore's ObjectReference: which objects an ignoreFields entry applies to. Each part
// is a pattern ("" or "*" any, "prefix*", "a,b" either); every part must match.
struct ObjectReference {
  std::string group;
  std::string version;
  std::string kind;
  std::string name;
  std::string namespace_name;
};

// validate.manifests.ignoreFields[]: dotted field paths ("spec.replicas", "metadata.labels.*") left out
// of the comparison for the objects selected (all objects when `objects` is empty).
struct IgnoreField {
  std::vector<std::string> fields;
  std::vector<ObjectReference> objects;
};

// validate.manifests: the admitted object must match a YAML document signed in its own annotations
// (sigstore's k8s-manifest-sigstore format) by the attestors.
struct ManifestValidation {
  std::vector<AttestorSet> attestors;
  std::string annotation_domain = "cosign.sigstore.dev";
  std::vector<IgnoreField> ignore_fields;       // the policy's own, added to the default ones
  std::optional<FailureAction> failure_action;  // validate.failureAction, over the policy's
  std::string message;                          // validate.message
  // dryRun.enable: the namespace the signed manifest is created in with dryRun=All when the object does not
  // match it directly (manifest_dry_run.hpp)
  std::optional<std::string> dry_run_namespace;
};

// rule.context[].configMap: the whole ConfigMap ({data, metadata}) under the entry's name.
struct ConfigMapReference {
  std::string name;
  std::string namespace_name;  // as resolved: a Policy's own namespace when omitted
};

// rule.context[].variable: `value` (variables substituted), transformed by `jmes_path`; without a value,
// `jmes_path` queries the context; `default_value` when the query yields nothing.
struct ContextVariable {
  json::Value value;
  std::string jmes_path;
  json::Value default_value;
};

// rule.context[]: exactly one source. signet evaluates them in order when the policy loads (later entries
// see earlier ones); apiCall, imageRegistry and globalReference entries are refused.
struct ContextEntry {
  std::string name;
  std::optional<ConfigMapReference> config_map;
  std::optional<ContextVariable> variable;
};

struct Rule {
  std::string name;
  std::vector<ContextEntry> context;
  json::Value context_values;  // an object: each entry's name → its value when the policy loaded
  MatchResources match;
  std::optional<MatchResources> exclude;
  std::map<std::string, std::vector<ImageExtractor>> image_extractors;  // by resource kind
  std::vector<ImageVerification> verify_images;
  std::optional<ManifestValidation> manifests;  // a validate.manifests rule (then verify_images is empty)
  bool skip_background_requests = true;
};

struct Policy {
  PolicyKind kind = PolicyKind::ClusterPolicy;
  std::string name;
  std::string namespace_name;  // Policy only: its rules apply only to objects in this namespace
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;

  FailureAction validation_failure_action = FailureAction::Audit;
  FailurePolicy failure_policy = FailurePolicy::Fail;
  bool background = true;
  bool admission = true;
  bool emit_warning = false;
  std::optional<int> webhook_timeout_seconds;

  // Controllers a rule that matches Pods also applies to, through their pod templates (Kyverno's
  // autogen). From the annotation pod-policies.kyverno.io/autogen-controllers when present ("none"
  // gives an empty list), else Kyverno's default: DaemonSet, Deployment, Job, StatefulSet, ReplicaSet,
  // ReplicationController, CronJob. Empty too when a rule the loader dropped (generate, a JSON 6902
  // patch, a match naming names/selector/annotations) keeps Kyverno from autogen for the policy; the
  // conditions on the kept rules are the engine's to check.
  std::vector<std::string> autogen_controllers;

  std::vector<Rule> rules;  // only rules with verifyImages or validate.manifests; others were noted and dropped

  std::string file;  // where it was loaded from
  int document = 0;  // 1-based document index in that file

  // "namespace/name" for a Policy, "name" for a ClusterPolicy (what results and metrics show).
  std::string display_name() const { return namespace_name.empty() ? name : namespace_name + "/" + name; }

  // Kyverno's action for a verifyImages rule: an entry that enforces makes the rule enforce, else the
  // first entry's explicit action, else the policy's validationFailureAction.
  // A validate.manifests rule: its validate.failureAction, else the policy's.
  FailureAction failure_action_of(const Rule& rule) const {
    if (rule.manifests) return rule.manifests->failure_action.value_or(validation_failure_action);
    std::optional<FailureAction> first;
    for (const auto& entry : rule.verify_images) {
      if (entry.failure_action == FailureAction::Enforce) return FailureAction::Enforce;
      if (!first) first = entry.failure_action;
    }
    return first.value_or(validation_failure_action);
  }
};

}  // namespace signet::policy
