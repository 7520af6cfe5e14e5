// `signet serve` flags that let validate.manifests rules use dryRun: --kube-dry-run (signed manifests are
// created in dry-run through the API, as the cluster reached by --kubeconfig or the pod's service account)
// and --kube-dry-run-namespace NS (where, for rules that name no dryRun.namespace).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/result.hpp"
#include "policy/loader/manifests.hpp"
#include "server/cli/command_line.hpp"
#include "server/kube/dry_runner.hpp"

namespace signet::server::kube {

// Kyverno's default is kyverno-dryrun; signet's is named after signet.
inline constexpr const char* kDefaultDryRunNamespace = "signet-dryrun";

std::vector<FlagSpec> kube_dry_run_flag_specs();
extern const char* const kKubeDryRunFlagsHelp;

struct DryRunSetup {
  std::shared_ptr<ApiDryRunner> runner;           // null without --kube-dry-run
  std::optional<policy::DryRunSettings> settings;  // for the policy loader; none without --kube-dry-run
};

// What the flags ask for. signet's own namespace (refused for dry-runs) is --kube-namespace, else the service
// account's or the kubeconfig context's. Usage mistakes are Invalid errors naming the flag.
Result<DryRunSetup> dry_run_from(const CommandLine& line);

}  // namespace signet::server::kube
