// Where registry credentials come from for one request: the secrets a policy names, then (read from the
// cluster) the admitted pod's image pull secrets, then signet's default docker config. Secrets are
// `kubernetes.io/dockerconfigjson` (or legacy `kubernetes.io/dockercfg`) secrets mounted as files, one folder per
// secret, as Kubernetes mounts secret volumes. Files are re-read when they change, so rotated credentials are used
// without a restart.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.hpp"
#include "oci/docker_config.hpp"
#include "oci/secret_source.hpp"

namespace signet::oci {

// What a request is for: the registry as references name it ("docker.io", "127.0.0.1:5000") and the
// repository, which is the scope of a pull token.
struct RepositoryScope {
  std::string registry;
  std::string repository;
  // Names of the credential secrets a policy lists (imageRegistryCredentials.secrets); empty = the
  // default credentials.
  std::vector<std::string> secrets;
  // The secrets read from the cluster for this read (resolve_secrets); when set, they are searched instead
  // of the secrets folder: the policy's, then the pod's.
  std::shared_ptr<const ResolvedSecrets> resolved = nullptr;
  // pod_credentials_key of the pod whose secrets `resolved` holds; "" for none.
  std::string pod_key = {};
};

// Credentials and where they were found ("secret regcred", "docker config /root/.docker/config.json"):
// errors name the place, never the credentials.
struct FoundCredentials {
  Credentials credentials;
  std::string source;
};

// A credential helper a docker config names for a registry; signet does not run helpers.
struct CredentialHelper {
  std::string name;
  std::string source;     // where it is named, as FoundCredentials::source
  bool for_host = false;  // named for this host in `credHelpers` (not the catch-all `credsStore`)
};

class CredentialStore {
 public:
  // No credentials at all: every registry is spoken to anonymously.
  CredentialStore();

  // `docker_config`: path of the default docker config.json, or "" for none. `secrets_dir`: the folder
  // where each secret is a subfolder holding `.dockerconfigjson` or `.dockercfg`, or "" for none. Files are
  // looked at again (a stat) at most every `recheck`. An unreadable docker config or a secrets folder that
  // is not a folder is an Invalid error naming it.
  static Result<CredentialStore> open(const std::string& docker_config, const std::string& secrets_dir,
                                      std::chrono::milliseconds recheck = std::chrono::seconds(2));

  // The credentials for `scope`. With secrets named, the most specific entry among them (on a tie, the
  // secret named first) wins; then, the same way, the pod's secrets in `scope.resolved`; the default
  // docker config is searched only when none matches. A named
  // secret that does not exist, or whose file is not a docker config, is an Invalid error naming it; none
  // anywhere is nullopt (anonymous).
  Result<std::optional<FoundCredentials>> find(const RepositoryScope& scope) const;

  // A secret of the secrets folder as a docker config ("secret NAME"), or nullopt when there is no folder
  // or no such secret in it; a file that is not a docker config is an Invalid error naming it.
  Result<std::optional<NamedDockerConfig>> mounted_secret(const std::string& name) const;

  // The credential helper that would have held `scope`'s credentials, searched as find() searches.
  std::optional<CredentialHelper> helper_for(const RepositoryScope& scope) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared: copies of a store see the same files
};

}  // namespace signet::oci
