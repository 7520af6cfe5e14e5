#include "server/cli/dry_run_flags.hpp"

#include "server/cli/policy_flags.hpp"

namespace signet::server::kube {

const char* const kKubeDryRunFlagsHelp =
    "Signed manifests (validate.manifests) with dryRun.enable:\n"
    "  --kube-dry-run             create a signed manifest that differs from the admitted object with dryRun=All\n"
    "                             and compare the API server's answer (needs create on those resources in the\n"
    "                             dry-run namespace); without it, policies with dryRun.enable are refused\n"
    "  --kube-dry-run-namespace NS  the dry-run namespace of rules that name none (default signet-dryrun);\n"
    "                             signet's own namespace is refused\n";

std::vector<FlagSpec> kube_dry_run_flag_specs() { return {{"kube-dry-run", false}, {"kube-dry-run-namespace"}}; }

Result<DryRunSetup> dry_run_from(const CommandLine& line) {
  if (!line.has("kube-dry-run")) {
    if (line.has("kube-dry-run-namespace")) return Error::invalid("--kube-dry-run-namespace needs --kube-dry-run");
    return DryRunSetup{};
  }
  auto config = cluster_config_from(line);
  if (!config) return config.error().context("--kube-dry-run");
  policy::DryRunSettings settings{line.get("kube-dry-run-namespace", kDefaultDryRunNamespace),
                                  line.get("kube-namespace", config->default_namespace)};
  if (settings.default_namespace.empty()) return Error::invalid("--kube-dry-run-namespace cannot be empty");
  if (settings.default_namespace == settings.own_namespace) {
    return Error::invalid("--kube-dry-run-namespace " + settings.default_namespace +
                          " is signet's own namespace; dry-runs need another (signet-dryrun by default)");
  }
  return DryRunSetup{std::make_shared<ApiDryRunner>(std::move(*config)), std::move(settings)};
}

}  // namespace signet::server::kube
