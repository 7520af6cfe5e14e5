#include "server/cli/secret_flags.hpp"

#include "server/cli/policy_flags.hpp"

namespace signet::server::kube {

const char* const kKubeSecretFlagsHelp =
    "Secrets from the cluster:\n"
    "  --kube-secrets             read from the API the registry credentials policies name in\n"
    "                             imageRegistryCredentials.secrets (in signet's namespace, or namespace/name;\n"
    "                             names mounted with --registry-secrets are read from there) and\n"
    "                             k8s://namespace/name public keys, keys.secret and the ConfigMaps of\n"
    "                             rules' context entries\n"
    "  --kube-pull-secrets        also read the admitted pods' imagePullSecrets and their service accounts'\n"
    "                             (needs get on secrets and serviceaccounts in every namespace)\n"
    "  --kube-namespace NS        signet's namespace (default: the service account's, or the kubeconfig\n"
    "                             context's); also for --kube-dry-run\n"
    "  --kube-object-ttl SECONDS  how long an object read from the API is reused (default 30): a rotated\n"
    "                             key or edited ConfigMap is seen within this time\n";

std::vector<FlagSpec> kube_secret_flag_specs() {
  return {{"kube-secrets", false}, {"kube-pull-secrets", false}, {"kube-namespace"}, {"kube-object-ttl"}};
}

Result<std::shared_ptr<SecretReader>> secret_reader_from(const CommandLine& line) {
  if (!line.has("kube-secrets")) {
    for (const char* flag : {"kube-pull-secrets", "kube-object-ttl"})
      if (line.has(flag)) return Error::invalid(std::string("--") + flag + " needs --kube-secrets");
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
  auto ttl = line.number("kube-object-ttl", options.ttl.count());
  if (!ttl) return ttl.error();
  options.ttl = std::chrono::seconds(*ttl);
  return std::make_shared<SecretReader>(std::move(*config), std::move(options));
}

}  // namespace signet::server::kube
