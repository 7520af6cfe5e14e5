// Registry credentials kept as Kubernetes Secrets and read on demand: oci/ defines what it needs, and
// server/kube reads it from the API. One registry read gathers its secrets once, before it starts.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/docker_config.hpp"
#include "oci/registry.hpp"

namespace signet::oci {

class SecretSource {
 public:
  virtual ~SecretSource() = default;

  // The docker config held by Secret `name` in `namespace_name` ("" = signet's own namespace): the
  // `.dockerconfigjson` of a kubernetes.io/dockerconfigjson Secret or the `.dockercfg` of a
  // kubernetes.io/dockercfg one. nullopt when the Secret does not exist. A Secret of another type, or one
  // whose data is not a docker config, is an Invalid error naming it; an API that refuses (403) or cannot
  // be reached is an Unavailable error saying what to fix.
  virtual boost::asio::awaitable<Result<std::optional<DockerConfig>>> docker_config(const std::string& namespace_name,
                                                                                    const std::string& name,
                                                                                    Deadline deadline) = 0;

  // The imagePullSecrets names of ServiceAccount `name` in `namespace_name`; nullopt when it does not exist.
  virtual boost::asio::awaitable<Result<std::optional<std::vector<std::string>>>> service_account_pull_secrets(
      const std::string& namespace_name, const std::string& name, Deadline deadline) = 0;

  // The namespace a bare secret name is read in, for messages.
  virtual std::string own_namespace() const = 0;
};

// A docker config and where it was found ("secret signet/regcred").
struct NamedDockerConfig {
  std::string source;
  DockerConfig config;
};

// The docker configs one read may use besides the default credentials, in the order they are searched.
struct ResolvedSecrets {
  std::vector<NamedDockerConfig> policy;  // imageRegistryCredentials.secrets, as the policy names them
  std::vector<NamedDockerConfig> pod;     // the pod's imagePullSecrets, then its service account's
};

// A policy secret mounted as files (--registry-secrets): its docker config, or nullopt when it is not there.
using MountedSecret = std::function<Result<std::optional<NamedDockerConfig>>(const std::string& name)>;

// Reads what `pull` names through `source`. Policy secrets are "name" (found in `mounted` when given and
// there, else in signet's namespace, as Kyverno reads them in its own) or "namespace/name"; one that does
// not exist, or holds no docker config, is an Invalid error naming it. With `pod_secrets`, the pod's
// secrets are read as the kubelet reads them: one that does not exist or is not a registry credential is
// skipped; one signet may not read is an error.
boost::asio::awaitable<Result<std::shared_ptr<const ResolvedSecrets>>> resolve_secrets(SecretSource& source,
                                                                                       const Pull& pull,
                                                                                       bool pod_secrets,
                                                                                       const MountedSecret& mounted);

// What decides the pod's credentials ("ns|service account|secrets…"), for the keys of caches that hold what
// was read with them; "" without a pod.
std::string pod_credentials_key(const PodCredentials& pod);

}  // namespace signet::oci
