#include "policy/manifests/ignore.hpp"

#include <array>

namespace signet::policy::manifest {
namespace {

struct DefaultIgnore {
  std::vector<std::string_view> kinds;  // empty: every kind
  std::vector<std::string_view> fields;
};

// k8s-manifest-sigstore's pkg/k8smanifest/resources/default-config.yaml and Kyverno's
// pkg/engine/resources/default-config.yaml, which Kyverno applies together.
const std::vector<DefaultIgnore>& default_ignores() {
  static const std::vector<DefaultIgnore> defaults = {
      {{},
       {"metadata.namespace",
        "metadata.managedFields.*",
        "metadata.resourceVersion",
        "metadata.selfLink",
        "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration",
        "metadata.annotations.control-plane.alpha.kubernetes.io/leader",
        "metadata.annotations.namespace",
        "metadata.annotations.deprecated.daemonset.template.generation",
        "metadata.annotations.deployment.kubernetes.io/revision",
        "metadata.creationTimestamp",
        "metadata.generation",
        "metadata.uid",
        "metadata.finalizers*",
        "metadata.labels.app.kubernetes.io/instance",
        "status",
        "spec.containers.*.imagePullPolicy",
        "spec.containers.*.terminationMessagePath",
        "spec.containers.*.terminationMessagePolicy",
        "spec.dnsPolicy",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.terminationGracePeriodSeconds"}},
      {{"Pod"},
       {"spec.volumes.*.name", "spec.volumes.*.projected.*", "spec.volumes.*.configMap.defaultMode",
        "spec.containers.*.volumeMounts.*", "spec.tolerations.*", "spec.enableServiceLinks", "spec.preemptionPolicy",
        "spec.priority", "spec.serviceAccount"}},
      {{"Deployment"},
       {"spec.progressDeadlineSeconds", "spec.revisionHistoryLimit", "spec.strategy.*",
        "spec.template.metadata.creationTimestamp", "spec.containers.*.ports.*.protocol", "spec.containers.*.resources",
        "spec.securityContext"}},
      {{"CustomResourceDefinition"}, {"spec.conversion.strategy", "spec.names.listKind"}},
      {{"Service"},
       {"spec.ports.*.nodePort", "spec.clusterIP", "spec.clusterIPs.0", "spec.sessionAffinity", "spec.type",
        "spec.ipFamilies.*", "spec.ipFamilyPolicy", "spec.internalTrafficPolicy"}},
      {{"ClusterPolicy", "Policy"},
       {"metadata.annotations.pod-policies.kyverno.io/autogen-controllers", "spec.failurePolicy", "spec.background",
        "spec.validationFailureAction"}},
      {{"ServiceAccount"}, {"secrets.*.name", "imagePullSecrets.*.name"}},
      {{"DaemonSet"}, {"metadata.annotations.deprecated.daemonset.template.generation"}},
  };
  return defaults;
}

std::string string_at(const json::Value& object, std::string_view a, std::string_view b = {}) {
  const json::Value* value = object.find(a);
  if (value != nullptr && !b.empty()) value = value->find(b);
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

ObjectReference reference_of(const json::Value& object) {
  ObjectReference reference;
  const std::string api_version = string_at(object, "apiVersion");
  const auto slash = api_version.find('/');
  if (slash == std::string::npos) {
    reference.version = api_version;
  } else {
    reference.group = api_version.substr(0, slash);
    reference.version = api_version.substr(slash + 1);
  }
  reference.kind = string_at(object, "kind");
  reference.name = string_at(object, "metadata", "name");
  reference.namespace_name = string_at(object, "metadata", "namespace");
  return reference;
}

bool matches_pattern(std::string_view pattern, std::string_view value) {
  pattern = trim(pattern);
  if (pattern.empty() || pattern == "*") return true;
  if (pattern == "-") return value.empty();
  if (pattern.back() == '*') {
    const auto prefix = pattern.substr(0, pattern.find_last_not_of('*') + 1);
    return value.starts_with(prefix);
  }
  if (pattern == value) return true;
  if (pattern.find(',') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= pattern.size()) {
    const auto comma = pattern.find(',', start);
    const auto part =
        trim(pattern.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!part.empty() && matches_pattern(part, value)) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

bool selects(const ObjectReference& selector, const ObjectReference& object) {
  return matches_pattern(selector.group, object.group) && matches_pattern(selector.version, object.version) &&
         matches_pattern(selector.kind, object.kind) && matches_pattern(selector.name, object.name) &&
         matches_pattern(selector.namespace_name, object.namespace_name);
}

std::string annotation_key(std::string_view domain, std::string_view base, int index) {
  std::string key = std::string(domain) + "/" + std::string(base);
  if (index > 0) key += "_" + std::to_string(index);
  return key;
}

std::vector<std::string> ignored_fields(const ObjectReference& object, const ManifestValidation& rule) {
  std::vector<std::string> fields;
  // The signature annotations, numbered siblings included (a field covers what it prefixes).
  // The default domain's too, as k8s-manifest-sigstore's default config lists them whatever the domain.
  for (std::string_view domain : {std::string_view(rule.annotation_domain), std::string_view("cosign.sigstore.dev")}) {
    for (std::string_view base : {"message", "signature", "certificate", "bundle", "resourceBundleRef"}) {
      fields.push_back("metadata.annotations." + annotation_key(domain, base));
    }
  }
  for (const auto& entry : default_ignores()) {
    bool selected = entry.kinds.empty();
    for (std::string_view kind : entry.kinds) selected = selected || kind == object.kind;
    if (!selected) continue;
    for (std::string_view field : entry.fields) fields.emplace_back(field);
  }
  for (const auto& entry : rule.ignore_fields) {
    bool selected = entry.objects.empty();
    for (const auto& selector : entry.objects) selected = selected || selects(selector, object);
    if (selected) fields.insert(fields.end(), entry.fields.begin(), entry.fields.end());
  }
  return fields;
}

}  // namespace signet::policy::manifest
