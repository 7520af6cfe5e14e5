// What policies read from the cluster while they load: `k8s://namespace/name` public keys and Kyverno's
// `keys.secret` (cosign's reference to a Kubernetes Secret), and the ConfigMaps of rules' context entries.
// policy/ defines what it needs; server/kube reads the API.
#pragma once

#include <string>

#include "crypto/result.hpp"

namespace signet::policy {

class ClusterObjects {
 public:
  virtual ~ClusterObjects() = default;

  // The PEM text of `cosign.pub` in Secret `name` of `namespace_name`, or an error that names the Secret
  // and what is wrong (not found, no cosign.pub, not readable).
  virtual Result<std::string> public_key(const std::string& namespace_name, const std::string& name) = 0;

  // ConfigMap `name` of `namespace_name` as Kyverno's context holds it: JSON text of an object with its
  // `data` (string values; null when it has none) and its `metadata`. An error names the ConfigMap and
  // what is wrong (not found, not readable).
  virtual Result<std::string> config_map(const std::string& namespace_name, const std::string& name) = 0;
};

}  // namespace signet::policy
