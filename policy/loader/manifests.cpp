#include "policy/loader/manifests.hpp"

#include "policy/loader/verify_images.hpp"

namespace signet::policy::loader {
namespace {

// Manifest signatures are checked with keys only: their keyless form needs the certificate flow of
// k8s-manifest-sigstore, which signet does not read yet.
bool uses_certificates(const AttestorSet& set) {
  for (const Attestor& attestor : set.entries) {
    if (attestor.keyless || attestor.certificates) return true;
    if (attestor.attestor && uses_certificates(*attestor.attestor)) return true;
  }
  return false;
}

std::vector<ObjectReference> parse_objects(const Field& field) {
  std::vector<ObjectReference> out;
  for (const Field& item : field.items()) {
    if (!item.expect_map() || !item.check_fields({{"group"}, {"version"}, {"kind"}, {"name"}, {"namespace"}})) continue;
    out.push_back({item["group"].string(), item["version"].string(), item["kind"].string(), item["name"].string(),
                   item["namespace"].string()});
  }
  return out;
}

std::vector<IgnoreField> parse_ignore_fields(const Field& field) {
  std::vector<IgnoreField> out;
  for (const Field& item : field.items()) {
    if (!item.expect_map() || !item.check_fields({{"fields"}, {"objects"}})) continue;
    IgnoreField ignore{item["fields"].strings(), parse_objects(item["objects"])};
    for (const auto& path : ignore.fields) {
      if (path.empty() || path == "*") {
        item["fields"].refuse("an empty field (or \"*\") would ignore the whole resource");
      }
    }
    out.push_back(std::move(ignore));
  }
  return out;
}

bool is_domain(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return text.front() != '.' && text.back() != '.' && text.front() != '-';
}

}  // namespace

std::optional<ManifestValidation> parse_manifest_validation(const Field& validate, ClusterObjects* keys,
                                                            const LoadVariables* variables,
                                                            const DryRunSettings* dry_run_settings) {
  if (!validate.check_fields(
          {{"message"},
           {"failureAction"},
           {"failureActionOverrides", Support::UnsupportedUnlessEmpty, "per-namespace failure actions"},
           {"allowExistingViolations", Support::Inert},
           {"manifests"},
           {"pattern", Support::Unsupported, "a pattern beside manifests"},
           {"anyPattern", Support::Unsupported, "an anyPattern beside manifests"},
           {"deny", Support::Unsupported, "deny conditions beside manifests"},
           {"foreach", Support::Unsupported, "foreach beside manifests"},
           {"podSecurity", Support::Unsupported, "podSecurity beside manifests"},
           {"cel", Support::Unsupported, "CEL beside manifests"},
           {"assert", Support::Unsupported, "assertions beside manifests"}})) {
    return std::nullopt;
  }
  ManifestValidation manifests;
  manifests.message = validate["message"].string();
  if (validate["failureAction"].present()) {
    const std::string action = validate["failureAction"].string();
    if (action == "Enforce" || action == "Audit") {
      manifests.failure_action = parse_failure_action(action);
    } else {
      validate["failureAction"].refuse("failureAction must be Enforce or Audit, got \"" + action + "\"");
    }
  }
  const Field field = validate["manifests"];
  if (!field.expect_map() ||
      !field.check_fields({{"attestors"},
                           {"annotationDomain"},
                           {"ignoreFields"},
                           {"dryRun"},
                           {"repository", Support::UnsupportedUnlessEmpty, "manifests stored in OCI images"}})) {
    return std::nullopt;
  }
  for (const Field& item : field["attestors"].items()) {
    if (!item.expect_map()) continue;
    manifests.attestors.push_back(parse_attestors(variables ? item.with_variables(*variables) : item, keys));
    if (uses_certificates(manifests.attestors.back())) {
      item.refuse(
          "keyless and certificates attestors of manifests are not supported by signet yet (sign manifests "
          "with keys)");
    }
  }
  if (manifests.attestors.empty()) {
    (field["attestors"].present() ? field["attestors"] : field)
        .refuse("attestors is required: say whose signatures the manifests must carry");
  }
  const std::string domain = field["annotationDomain"].string();
  if (!domain.empty()) {
    if (!is_domain(domain)) {
      field["annotationDomain"].refuse("annotationDomain must be a DNS domain such as cosign.sigstore.dev, got \"" +
                                       domain + "\"");
    }
    manifests.annotation_domain = domain;
  }
  manifests.ignore_fields = parse_ignore_fields(field["ignoreFields"]);
  const Field dry_run = field["dryRun"];
  if (!dry_run.check_fields({{"enable"}, {"namespace"}}) || !dry_run["enable"].boolean(false)) return manifests;
  if (dry_run_settings == nullptr) {
    dry_run["enable"].refuse(
        "dryRun.enable needs the API server to create the signed manifest in dry-run: start signet serve with "
        "--kube-dry-run (the chart's dryRun.enabled), or remove it and list in ignoreFields the fields your "
        "cluster fills in");
    return manifests;
  }
  const std::string name = dry_run["namespace"].string();
  if (!name.empty() && name == dry_run_settings->own_namespace) {
    dry_run["namespace"].refuse("dryRun.namespace \"" + name +
                                "\" is signet's own namespace, where no dry-run is made (as Kyverno refuses its own); "
                                "name another, or leave it out for " +
                                dry_run_settings->default_namespace);
  }
  manifests.dry_run_namespace = name.empty() ? dry_run_settings->default_namespace : name;
  return manifests;
}

}  // namespace signet::policy::loader
