// What the policy engine is told about one admission request and the images in it. The server
// decodes AdmissionReviews into this; the CLI builds it for `signet verify`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

struct UserInfo {
  std::string username;
  std::vector<std::string> groups;
  // The requester's RBAC roles ("namespace:role") and cluster roles, for match/exclude `roles` and
  // `clusterRoles`; empty when unknown (then filters on roles match nothing).
  std::vector<std::string> roles;
  std::vector<std::string> cluster_roles;
};

struct AdmissionRequest {
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  std::string group;      // request.kind.group ("" for core, "apps", "batch")
  std::string version;    // request.kind.version
  std::string kind;       // request.kind.kind ("Pod", "Deployment", …)
  std::string subresource;
  std::string namespace_name;
  std::string name;
  std::map<std::string, std::string> labels;       // the object's metadata.labels
  std::map<std::string, std::string> annotations;  // the object's metadata.annotations (match.annotations)
  UserInfo user;
  bool dry_run = false;
  // The pod's (or pod template's) spec.serviceAccountName and spec.imagePullSecrets names: with secrets
  // read from the cluster, the registry reads for this request may also use what the pod could pull with.
  // Only the reads: a cached verdict says whether an image is signed, whoever asked.
  std::string service_account;
  std::vector<std::string> image_pull_secrets;
  bool has_pod_spec = false;  // the object holds a pod spec (a Pod or a pod controller)
  // The AdmissionReview's whole `request` object (object, oldObject, userInfo, …), as policy variables
  // ({{request.object.metadata.name}}) and image extractors see it; null when built by the CLI.
  json::Value json;
};

// One image as written in the object, and where: the patch for digest pinning replaces `json_pointer`.
struct ImageUse {
  std::string image;         // as written, e.g. "nginx:1.25"
  std::string json_pointer;  // e.g. "/spec/template/spec/containers/0/image"; "" = cannot be patched
  std::string container;     // the container's name (an image extractor's key)
  std::string group;         // containers, initContainers, ephemeralContainers, or an extractor's name
};

}  // namespace signet::policy
