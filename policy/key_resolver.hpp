// Where `k8s://namespace/name` public keys (cosign's reference to a Kubernetes Secret) are read while
// policies load: the PEM in the Secret's `cosign.pub` data key. policy/ defines what it needs; server/kube
// reads the API.
#pragma once

#include <string>

#include "crypto/result.hpp"

namespace signet::policy {

class KeyResolver {
 public:
  virtual ~KeyResolver() = default;

  // The PEM text of `cosign.pub` in Secret `name` of `namespace_name`, or an error that names the Secret
  // and what is wrong (not found, no cosign.pub, not readable).
  virtual Result<std::string> public_key(const std::string& namespace_name, const std::string& name) = 0;
};

}  // namespace signet::policy
