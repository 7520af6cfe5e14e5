#include "server/cli/policy_flags.hpp"

#include <filesystem>

namespace signet::server::kube {

const char* const kKubePolicyFlagsHelp =
    "Policies from the cluster (instead of --policy DIR):\n"
    "  --kube-policies            watch signet.dev/v1alpha1 ClusterImagePolicy and ImagePolicy objects\n"
    "  --kube-kyverno-policies    also watch kyverno.io/v1 ClusterPolicy and Policy objects (and refuse\n"
    "                             Kyverno's ImageValidatingPolicies, which signet does not enforce yet)\n"
    "  --kubeconfig FILE          reach the API with this kubeconfig (default: the pod's service account)\n"
    "  --kube-context NAME        the kubeconfig context to use (default: its current-context)\n"
    "  --kube-policy-dir DIR      where the policies are mirrored as files (default /tmp/signet-kube-policies)\n";

std::vector<FlagSpec> kube_policy_flag_specs() {
  return {{"kube-policies", false},
          {"kube-kyverno-policies", false},
          {"kubeconfig"},
          {"kube-context"},
          {"kube-policy-dir"}};
}

bool wants_kube_policies(const CommandLine& line) {
  return line.has("kube-policies") || line.has("kube-kyverno-policies");
}

std::string kube_policy_dir(const CommandLine& line) { return line.get("kube-policy-dir", kDefaultPolicyDir); }

Result<ClusterConfig> cluster_config_from(const CommandLine& line) {
  if (line.has("kubeconfig")) return kubeconfig_config(line.get("kubeconfig"), line.get("kube-context"));
  if (line.has("kube-context")) return Error::invalid("--kube-context needs --kubeconfig FILE");
  return in_cluster_config();
}

Result<std::unique_ptr<PolicyWatcher>> policy_watcher_from(const CommandLine& line, MirrorChanged on_change,
                                                           WatchNote on_note) {
  if (!wants_kube_policies(line)) return std::unique_ptr<PolicyWatcher>();
  auto config = cluster_config_from(line);
  if (!config) return config.error();
  PolicyWatcherOptions options;
  if (line.has("kube-kyverno-policies")) {
    options.resources.push_back(kyverno_cluster_policies());
    options.resources.push_back(kyverno_policies());
    const std::vector<std::string> versions(std::begin(kKyvernoPolicyVersions), std::end(kKyvernoPolicyVersions));
    options.optional_resources.push_back({kyverno_image_validating_policies(), versions});
    options.optional_resources.push_back({kyverno_namespaced_image_validating_policies(), versions});
  }
  const std::string dir = kube_policy_dir(line);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::invalid("--kube-policy-dir " + dir + " cannot be created: " + ec.message());
  return std::make_unique<PolicyWatcher>(std::move(*config), dir, options, std::move(on_change), std::move(on_note));
}

}  // namespace signet::server::kube
