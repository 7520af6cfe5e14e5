// `signet serve` flags that take the policies from the cluster: --kube-policies (signet.dev CRDs),
// --kube-kyverno-policies (also kyverno.io), --kubeconfig FILE, --kube-context NAME, --kube-policy-dir DIR.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/result.hpp"
#include "server/cli/command_line.hpp"
#include "server/kube/policy_watcher.hpp"

namespace signet::server::kube {

// Where the mirror lives when --kube-policy-dir is not given (the chart mounts an emptyDir on /tmp).
inline constexpr const char* kDefaultPolicyDir = "/tmp/signet-kube-policies";

std::vector<FlagSpec> kube_policy_flag_specs();
extern const char* const kKubePolicyFlagsHelp;

bool wants_kube_policies(const CommandLine& line);
std::string kube_policy_dir(const CommandLine& line);

// The cluster config the flags name: --kubeconfig FILE (and --kube-context), else the in-cluster one.
Result<ClusterConfig> cluster_config_from(const CommandLine& line);

// The watcher the flags ask for, or nullptr without --kube-policies. The folder is created.
Result<std::unique_ptr<PolicyWatcher>> policy_watcher_from(const CommandLine& line, MirrorChanged on_change,
                                                           WatchNote on_note);

}  // namespace signet::server::kube
