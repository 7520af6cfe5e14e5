#include "server/kube/secret_flags.hpp"

#include "server/kube/policy_flags.hpp"

namespace signet::server::kube {

const char* const kKubeSecretFlagsHelp =
    "Secrets from the cluster:\n"
    "  --kube-secrets             read registry credentials (imageRegistryCredentials.secrets, in signet's\n"
    "                             namespace or as namespace/name), the admitted pods' imagePullSecrets and\n"
    "                             their service accounts', and k8s://namespace/name public keys from the API\n"
    "  --kube-namespace NS        signet's namespace (default: the service account's, or the kubeconfig\n"
    "                             context's)\n";

std::vector<FlagSpec> kube_secret_flag_specs() { return {{"kube-secrets", false}, {"kube-namespace"}}; }

Result<std::shared_ptr<SecretReader>> secret_reader_from(const CommandLine& line) {
  if (!line.has("kube-secrets")) {
    if (line.has("kube-namespace")) return Error::invalid("--kube-namespace needs --kube-secrets");
    return std::shared_ptr<SecretReader>();
  }
  if (line.has("registry-secrets")) {
    return Error::invalid(
        "--registry-secrets and --kube-secrets both say where imageRegistryCredentials.secrets are read; give one");
  }
  auto config = cluster_config_from(line);
  if (!config) return config.error().context("--kube-secrets");
  SecretReaderOptions options;
  options.own_namespace = line.get("kube-namespace", config->default_namespace);
  if (options.own_namespace.empty()) {
    return Error::invalid("--kube-secrets: signet's namespace is unknown (" + config->source +
                          " names none); give --kube-namespace NS");
  }
  return std::make_shared<SecretReader>(std::move(*config), std::move(options));
}

}  // namespace signet::server::kube
