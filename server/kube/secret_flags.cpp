#include "server/kube/secret_flags.hpp"

#include "server/kube/policy_flags.hpp"

namespace signet::server::kube {

const char* const kKubeSecretFlagsHelp =
    "Secrets from the cluster:\n"
    "  --kube-secrets             read from the API the registry credentials policies name in\n"
    "                             imageRegistryCredentials.secrets (in signet's namespace, or namespace/name;\n"
    "                             names mounted with --registry-secrets are read from there) and\n"
    "                             k8s://namespace/name public keys\n"
    "  --kube-pull-secrets        also read the admitted pods' imagePullSecrets and their service accounts'\n"
    "                             (needs get on secrets and serviceaccounts in every namespace)\n"
    "  --kube-namespace NS        signet's namespace (default: the service account's, or the kubeconfig\n"
    "                             context's); also for --kube-dry-run\n";

std::vector<FlagSpec> kube_secret_flag_specs() {
  return {{"kube-secrets", false}, {"kube-pull-secrets", false}, {"kube-namespace"}};
}

Result<std::shared_ptr<SecretReader>> secret_reader_from(const CommandLine& line) {
  if (!line.has("kube-secrets")) {
    if (line.has("kube-pull-secrets")) return Error::invalid("--kube-pull-secrets needs --kube-secrets");
    if (line.has("kube-namespace") && !line.has("kube-dry-run"))
      return Error::invalid("--kube-namespace needs --kube-secrets or --kube-dry-run");
    return std::shared_ptr<SecretReader>();
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
