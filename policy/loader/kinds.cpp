#include "policy/loader/kinds.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace signet::policy::loader {

namespace {

struct GroupKind {
  std::string_view group;
  std::string_view kind;
};

// Kubernetes' own API groups (and the API server's audit policy file): none of their kinds verifies an
// image signature.
constexpr std::array<std::string_view, 25> kBuiltInGroups = {
    "",
    "admissionregistration.k8s.io",
    "audit.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
    "extensions",
};

// Kinds of other groups that cannot verify images, so a folder that holds them beside policies loads.
// PolicyExceptions are skipped too: signet grants no exception, which is stricter than Kyverno, never laxer.
// A policy-controller TrustRoot is trust material only; the ClusterImagePolicy that uses it is refused.
constexpr GroupKind kSkippedKinds[] = {
    {"kyverno.io", "PolicyException"},
    {"kyverno.io", "CleanupPolicy"},
    {"kyverno.io", "ClusterCleanupPolicy"},
    {"kyverno.io", "GlobalContextEntry"},
    {"kyverno.io", "UpdateRequest"},
    {"kyverno.io", "AdmissionReport"},
    {"kyverno.io", "ClusterAdmissionReport"},
    {"kyverno.io", "BackgroundScanReport"},
    {"kyverno.io", "ClusterBackgroundScanReport"},
    {"policies.kyverno.io", "ValidatingPolicy"},
    {"policies.kyverno.io", "NamespacedValidatingPolicy"},
    {"policies.kyverno.io", "MutatingPolicy"},
    {"policies.kyverno.io", "NamespacedMutatingPolicy"},
    {"policies.kyverno.io", "GeneratingPolicy"},
    {"policies.kyverno.io", "NamespacedGeneratingPolicy"},
    {"policies.kyverno.io", "DeletingPolicy"},
    {"policies.kyverno.io", "NamespacedDeletingPolicy"},
    {"policies.kyverno.io", "PolicyException"},
    {"reports.kyverno.io", "EphemeralReport"},
    {"reports.kyverno.io", "ClusterEphemeralReport"},
    {"wgpolicyk8s.io", "PolicyReport"},
    {"wgpolicyk8s.io", "ClusterPolicyReport"},
    {"openreports.io", "Report"},
    {"openreports.io", "ClusterReport"},
    {"cli.kyverno.io", "Test"},
    {"cli.kyverno.io", "Values"},
    {"cli.kyverno.io", "UserInfo"},
    {"cli.kyverno.io", "Context"},
    {"chainsaw.kyverno.io", "Test"},
    {"chainsaw.kyverno.io", "Configuration"},
    {"chainsaw.kyverno.io", "StepTemplate"},
    {"policy.sigstore.dev", "TrustRoot"},
    {"signet.dev", "AdmissionReport"},
    {"kustomize.config.k8s.io", "Kustomization"},
    {"kustomize.config.k8s.io", "Component"},
    {"config.kubernetes.io", "ResourceList"},
};

// Policy kinds that verify images but that signet does not enforce yet: refused, never skipped.
constexpr GroupKind kNotEnforcedKinds[] = {
    {"policies.kyverno.io", "ImageValidatingPolicy"},
    {"policies.kyverno.io", "NamespacedImageValidatingPolicy"},
    {"policy.sigstore.dev", "ClusterImagePolicy"},
};

// The kinds signet reads; under another apiVersion of kyverno.io or signet.dev they are refused as a
// wrong version.
constexpr std::array<std::string_view, 4> kReadKinds = {"ClusterPolicy", "Policy", "ClusterImagePolicy", "ImagePolicy"};

std::string_view group_of(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

template <std::size_t N>
bool listed(const GroupKind (&table)[N], std::string_view group, std::string_view kind) {
  return std::any_of(std::begin(table), std::end(table),
                     [&](const GroupKind& entry) { return entry.group == group && entry.kind == kind; });
}

}  // namespace

DocumentKind classify_document(std::string_view api_version, std::string_view kind) {
  if (api_version == "kyverno.io/v1" || api_version == "kyverno.io/v2beta1") {
    bool v1 = api_version == "kyverno.io/v1";
    if (kind == "ClusterPolicy") return {DocumentRole::Read, PolicyKind::ClusterPolicy, v1};
    if (kind == "Policy") return {DocumentRole::Read, PolicyKind::Policy, v1};
  }
  if (api_version == "signet.dev/v1alpha1") {
    if (kind == "ClusterImagePolicy") return {DocumentRole::Read, PolicyKind::ClusterPolicy, true};
    if (kind == "ImagePolicy") return {DocumentRole::Read, PolicyKind::Policy, true};
  }
  const std::string_view group = group_of(api_version);
  if (listed(kNotEnforcedKinds, group, kind)) return {DocumentRole::NotEnforced};
  const bool ours = api_version.empty() || group == "kyverno.io" || group == "signet.dev";
  if (ours && std::find(kReadKinds.begin(), kReadKinds.end(), kind) != kReadKinds.end()) {
    return {DocumentRole::WrongVersion};
  }
  // A List (what `kubectl get ... -o yaml` writes) may hold policies, whatever its own group.
  if (api_version.empty() || kind.empty() || kind.ends_with("List")) return {DocumentRole::Unknown};
  if (std::find(kBuiltInGroups.begin(), kBuiltInGroups.end(), group) != kBuiltInGroups.end() ||
      listed(kSkippedKinds, group, kind)) {
    return {DocumentRole::Skipped};
  }
  return {DocumentRole::Unknown};
}

std::string refusal_reason(DocumentRole role, const std::string& what, std::string_view api_version,
                           std::string_view kind) {
  const std::string version(api_version);
  const std::string kind_name(kind);
  switch (role) {
    case DocumentRole::NotEnforced:
      return what +
             " is not enforced by signet yet; it is refused rather than skipped so that no image is admitted "
             "unverified (signet enforces the verifyImages rules of kyverno.io/v1 ClusterPolicy and Policy and of "
             "signet.dev/v1alpha1 ClusterImagePolicy and ImagePolicy)";
    case DocumentRole::WrongVersion:
      return "apiVersion \"" + version + "\" is not one signet reads for " + kind_name +
             " (kyverno.io/v1 or kyverno.io/v2beta1; signet.dev/v1alpha1 for ClusterImagePolicy and ImagePolicy)";
    case DocumentRole::Unknown:
      if (api_version.empty() || kind.empty())
        return "not a Kubernetes object: apiVersion and kind are required (signet refuses a document it cannot "
               "identify rather than skip what might verify images)";
      if (kind.ends_with("List"))
        return what +
               " holds objects that signet does not read from a list: write each item as a document of its own "
               "(separated by ---)";
      return what +
             " is a kind signet does not know; it is refused rather than skipped, since it might verify images "
             "(only kinds that cannot, such as ConfigMaps and Kyverno PolicyExceptions, are skipped)";
    case DocumentRole::Read:
    case DocumentRole::Skipped:
      break;
  }
  return "";
}

}  // namespace signet::policy::loader
