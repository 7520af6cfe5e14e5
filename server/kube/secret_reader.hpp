// The Secrets, ServiceAccounts and ConfigMaps signet reads on demand from the Kubernetes API: registry
// credentials for oci/ (the secrets policies name, the pods' image pull secrets), and for policy/ the
// k8s:// public keys and the ConfigMaps of rules' context entries. Each object is kept a short while, so a
// burst of admissions reads it once (concurrent misses share one read) and a change is seen soon.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "oci/secret_source.hpp"
#include "oci/single_flight.hpp"
#include "oci/ttl_cache.hpp"
#include "policy/cluster_objects.hpp"
#include "server/kube/api_client.hpp"

namespace signet::server::kube {

struct SecretReaderOptions {
  std::string own_namespace;                       // where bare secret names of policies are read
  std::chrono::seconds ttl{30};                    // how long an object read (or found missing) is reused
  std::size_t max_entries = 1024;                  // objects kept at most
  oci::TtlCache<int>::Now now = &oci::Clock::now;  // for tests
};

class SecretReader final : public oci::SecretSource, public policy::ClusterObjects {
 public:
  SecretReader(ClusterConfig config, SecretReaderOptions options, KubeClientOptions client_options = {});

  boost::asio::awaitable<Result<std::optional<oci::DockerConfig>>> docker_config(const std::string& namespace_name,
                                                                                 const std::string& name,
                                                                                 oci::Deadline deadline) override;
  boost::asio::awaitable<Result<std::optional<std::vector<std::string>>>> service_account_pull_secrets(
      const std::string& namespace_name, const std::string& name, oci::Deadline deadline) override;
  std::string own_namespace() const override { return options_.own_namespace; }

  // These two block while the object is read (policy loads are synchronous), on a private io_context.
  Result<std::string> public_key(const std::string& namespace_name, const std::string& name) override;
  Result<std::string> config_map(const std::string& namespace_name, const std::string& name) override;

  // API reads so far (cache misses), for tests and metrics.
  std::size_t reads() const { return reads_; }

 private:
  // The object's JSON, nullopt when it does not exist; from the cache when read less than `ttl` ago.
  boost::asio::awaitable<Result<std::optional<std::string>>> object(const ResourceType& type, const std::string& ns,
                                                                    const std::string& name, oci::Deadline deadline);
  // object() for policy loads: read synchronously, with their own timeout.
  Result<std::optional<std::string>> object_now(const ResourceType& type, const std::string& ns,
                                                const std::string& name);

  KubeClient client_;
  SecretReaderOptions options_;
  oci::TtlCache<std::optional<std::string>> cache_;
  oci::SingleFlight<std::optional<std::string>> flights_;
  std::atomic<std::size_t> reads_{0};
};

}  // namespace signet::server::kube
