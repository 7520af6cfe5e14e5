// How signet talks to registries: which may be reached over plain HTTP, which CAs and credentials to
// use, and the caps that keep a hostile registry from exhausting memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "oci/http_observer.hpp"

namespace signet::oci {

class SecretSource;

struct RegistryOptions {
  // host[:port] allowed over plain HTTP. An entry with a port matches that port only; an entry without
  // one matches the host on any port. Everything else is HTTPS only.
  std::vector<std::string> insecure_registries;
  // An extra CA bundle (PEM), trusted besides the system CAs; "" = system CAs only.
  std::string ca_file;
  // Path of a docker config.json for credentials; "" = anonymous only.
  std::string docker_config;
  // A folder of mounted `kubernetes.io/dockerconfigjson` secrets, one subfolder per secret, where the
  // names a policy lists in imageRegistryCredentials.secrets are found; "" = none.
  std::string secrets_dir;
  // Where secrets are read from the cluster instead: the names policies list, and the admitted pods' own
  // image pull secrets. null = none (pods' pull secrets are then not used).
  std::shared_ptr<SecretSource> secret_source;
  // Whether the admitted pods' image pull secrets (and their service accounts') are read from it too.
  bool pod_pull_secrets = false;
  std::size_t max_manifest_bytes = 4 * 1024 * 1024;
  std::size_t max_blob_bytes = 4 * 1024 * 1024;  // one signature or attestation layer
  std::size_t max_signatures = 64;               // layers read from one signature or attestation manifest

  // Requests in flight to one registry host; more wait their turn.
  std::size_t max_requests_per_registry = 16;
  // Told of every HTTP request made (for metrics); may be empty.
  HttpObserver observer;

  // Caches. Tags move, so tag → digest is kept briefly; content is addressed by its digest and kept
  // until evicted. 0 entries turns a cache off.
  std::chrono::seconds tag_ttl{30};
  std::size_t tag_cache_entries = 10000;
  std::size_t content_cache_entries = 10000;
  std::size_t content_cache_bytes = 64 * 1024 * 1024;
};

}  // namespace signet::oci
