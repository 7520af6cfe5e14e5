// Policies from the cluster: every kind of policy object listed and then watched, mirrored into a folder
// (PolicyMirror) that the PolicyStore reads. A watch that ends resumes from the last resourceVersion seen;
// one that cannot (410 Gone) lists again and reconciles the folder; failures back off exponentially with
// jitter. Runs on a thread of its own, so the webhook's threads never wait for the API server.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/result.hpp"
#include "server/kube/api_client.hpp"
#include "server/kube/cluster_config.hpp"
#include "server/kube/policy_mirror.hpp"
#include "server/kube/resource.hpp"

namespace signet::server::kube {

// A kind whose CustomResourceDefinition may not be installed: read at the first of `versions` the API
// serves, and while none is, looked for again every PolicyWatcherOptions::absent_recheck.
struct OptionalResource {
  ResourceType type;
  std::vector<std::string> versions;
};

struct PolicyWatcherOptions {
  std::vector<ResourceType> resources = {cluster_image_policies(), image_policies()};
  std::vector<OptionalResource> optional_resources;
  std::chrono::milliseconds absent_recheck{60000};
  KubeClientOptions client;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
};

// Told, on the watcher's thread, after files of the folder changed: reload the policies.
using MirrorChanged = std::function<void()>;
// Told what happened that an operator may want to see; `problem` for failures.
using WatchNote = std::function<void(bool problem, const std::string& message)>;

class PolicyWatcher {
 public:
  PolicyWatcher(ClusterConfig config, std::filesystem::path dir, PolicyWatcherOptions options, MirrorChanged on_change,
                WatchNote on_note);
  ~PolicyWatcher();  // stops
  PolicyWatcher(const PolicyWatcher&) = delete;
  PolicyWatcher& operator=(const PolicyWatcher&) = delete;

  // Lists every kind and reconciles the folder, retrying with backoff until `timeout`; the error of the
  // last attempt when it runs out. Start-up calls it before the folder is first loaded.
  Result<void> sync(std::chrono::milliseconds timeout);
  // Watches every kind until stop() (from the resourceVersions sync() saw, else it lists first).
  void start();
  void stop();

  // The resourceVersion last seen for `type` ("" before any).
  std::string resource_version(const ResourceType& type) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::server::kube
