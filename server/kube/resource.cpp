#include "server/kube/resource.hpp"

#include "oci/url.hpp"

namespace signet::server::kube {

std::string ResourceType::name() const { return group.empty() ? plural : plural + "." + group; }

std::string ResourceType::api_version() const { return group.empty() ? version : group + "/" + version; }

std::string ResourceType::collection_path(const std::string& ns) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) path += "/namespaces/" + oci::url_encode(ns);
  return path + "/" + plural;
}

std::string ResourceType::object_path(const std::string& ns, const std::string& object_name) const {
  return collection_path(ns) + "/" + oci::url_encode(object_name);
}

ResourceType cluster_image_policies() {
  return {"signet.dev", "v1alpha1", "clusterimagepolicies", "ClusterImagePolicy", false};
}
ResourceType image_policies() { return {"signet.dev", "v1alpha1", "imagepolicies", "ImagePolicy", true}; }
ResourceType kyverno_cluster_policies() { return {"kyverno.io", "v1", "clusterpolicies", "ClusterPolicy", false}; }
ResourceType kyverno_policies() { return {"kyverno.io", "v1", "policies", "Policy", true}; }
ResourceType kyverno_image_validating_policies() {
  return {"policies.kyverno.io", "v1", "imagevalidatingpolicies", "ImageValidatingPolicy", false};
}
ResourceType kyverno_namespaced_image_validating_policies() {
  return {"policies.kyverno.io", "v1", "namespacedimagevalidatingpolicies", "NamespacedImageValidatingPolicy", true};
}
ResourceType secrets() { return {"", "v1", "secrets", "Secret", true}; }
ResourceType config_maps() { return {"", "v1", "configmaps", "ConfigMap", true}; }
ResourceType service_accounts() { return {"", "v1", "serviceaccounts", "ServiceAccount", true}; }

}  // namespace signet::server::kube
