// A kind of object the API serves (group, version, plural), and the paths at which it is read.
#pragma once

#include <string>

namespace signet::server::kube {

struct ResourceType {
  std::string group;    // "" for the core group
  std::string version;  // "v1alpha1"
  std::string plural;   // "clusterimagepolicies"
  std::string kind;     // "ClusterImagePolicy"
  bool namespaced = false;

  // "clusterimagepolicies.signet.dev" ("secrets" for the core group), as RBAC rules and kubectl name it.
  std::string name() const;
  // "signet.dev/v1alpha1" ("v1" for the core group).
  std::string api_version() const;
  // The collection: every object (all namespaces) when `ns` is "", or those of `ns`.
  std::string collection_path(const std::string& ns = "") const;
  std::string object_path(const std::string& ns, const std::string& name) const;
};

// The kinds signet reads its policies from.
ResourceType cluster_image_policies();    // signet.dev/v1alpha1 ClusterImagePolicy
ResourceType image_policies();            // signet.dev/v1alpha1 ImagePolicy
ResourceType kyverno_cluster_policies();  // kyverno.io/v1 ClusterPolicy
ResourceType kyverno_policies();          // kyverno.io/v1 Policy
// Kyverno's image policies, which signet refuses until it enforces them: read so that one in the cluster
// is refused rather than ignored. Their CRDs may be missing, or serve another of these versions.
ResourceType kyverno_image_validating_policies();             // policies.kyverno.io ImageValidatingPolicy
ResourceType kyverno_namespaced_image_validating_policies();  // ... NamespacedImageValidatingPolicy
inline const char* const kKyvernoPolicyVersions[] = {"v1", "v1beta1", "v1alpha1"};
ResourceType secrets();           // v1 Secret
ResourceType config_maps();       // v1 ConfigMap
ResourceType service_accounts();  // v1 ServiceAccount

}  // namespace signet::server::kube
