// policy::DryRunner over the Kubernetes API: the kind of a signed manifest is looked up in the API's
// discovery (cached per group version), then the manifest is POSTed with dryRun=All.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "policy/manifests/dry_run.hpp"
#include "server/kube/api_client.hpp"

namespace signet::server::kube {

struct ApiDryRunnerOptions {
  // How long a group version's resource list is kept: a kind installed since (a new CRD) is found after it.
  std::chrono::seconds discovery_ttl{300};
  std::chrono::milliseconds request_timeout{5000};  // each request, if the admission deadline is later
};

class ApiDryRunner final : public policy::DryRunner {
 public:
  explicit ApiDryRunner(ClusterConfig config, ApiDryRunnerOptions options = {});

  boost::asio::awaitable<Result<policy::json::Value>> create(const policy::json::Value& object,
                                                             const std::string& namespace_name,
                                                             Deadline deadline) override;

  std::size_t discoveries() const;  // discovery requests made so far

 private:
  boost::asio::awaitable<Result<ResourceType>> resource_of(const std::string& api_version, const std::string& kind,
                                                           Deadline deadline);

  KubeClient client_;
  ApiDryRunnerOptions options_;
  mutable std::mutex mutex_;  // reviews run on several threads
  struct Discovered {
    Clock::time_point at;
    std::vector<ResourceType> resources;
  };
  std::map<std::string, Discovered> discovered_;  // by apiVersion
  std::size_t discoveries_ = 0;
};

}  // namespace signet::server::kube
