#include "server/cli/registry_flags.hpp"

#include <cstdlib>
#include <filesystem>

namespace signet::server {

const char* const kRegistryFlagsHelp =
    "  --registry-ca FILE             extra CA bundle for registries, besides the system CAs\n"
    "  --insecure-registry HOST[:PORT]  allow plain HTTP to this registry (repeatable)\n"
    "  --registry-config FILE         docker config.json with registry credentials\n"
    "                                 (default $DOCKER_CONFIG/config.json, then ~/.docker/config.json)\n"
    "  --registry-secrets DIR         mounted dockerconfigjson secrets, one folder per secret, for the\n"
    "                                 names policies list in imageRegistryCredentials.secrets\n"
    "  --max-layer-bytes N            largest signature or attestation layer read (default 4194304)\n"
    "  --max-signatures N             most signatures or attestations read per image (default 64)\n"
    "  --tag-cache-ttl SECONDS        how long a tag's digest is reused (default 30; 0 = never)\n"
    "  --registry-concurrency N       requests in flight to one registry host (default 16)\n";

std::vector<FlagSpec> registry_flag_specs() {
  return {{"registry-ca"},     {"insecure-registry"}, {"registry-config"}, {"registry-secrets"},
          {"max-layer-bytes"}, {"max-signatures"},    {"tag-cache-ttl"},   {"registry-concurrency"}};
}

Result<oci::RegistryOptions> registry_options_from(const CommandLine& line) {
  oci::RegistryOptions options;
  options.insecure_registries = line.all("insecure-registry");
  options.ca_file = line.get("registry-ca");
  if (!options.ca_file.empty() && !std::filesystem::is_regular_file(options.ca_file))
    return Error::invalid("--registry-ca " + options.ca_file + ": no such file");

  options.secrets_dir = line.get("registry-secrets");
  if (!options.secrets_dir.empty() && !std::filesystem::is_directory(options.secrets_dir))
    return Error::invalid("--registry-secrets " + options.secrets_dir + ": no such folder");
  auto layer_bytes = line.number("max-layer-bytes", static_cast<long>(options.max_blob_bytes));
  if (!layer_bytes) return layer_bytes.error();
  auto signatures = line.number("max-signatures", static_cast<long>(options.max_signatures));
  if (!signatures) return signatures.error();
  auto tag_ttl = line.number("tag-cache-ttl", static_cast<long>(options.tag_ttl.count()));
  if (!tag_ttl) return tag_ttl.error();
  options.max_blob_bytes = static_cast<std::size_t>(*layer_bytes);
  options.max_signatures = static_cast<std::size_t>(*signatures);
  options.tag_ttl = std::chrono::seconds(*tag_ttl);
  auto concurrency = line.number("registry-concurrency", static_cast<long>(options.max_requests_per_registry));
  if (!concurrency) return concurrency.error();
  if (*concurrency < 1) return Error::invalid("--registry-concurrency must be at least 1");
  options.max_requests_per_registry = static_cast<std::size_t>(*concurrency);

  options.docker_config = line.get("registry-config");
  if (!options.docker_config.empty()) {
    if (!std::filesystem::is_regular_file(options.docker_config))
      return Error::invalid("--registry-config " + options.docker_config + ": no such file");
    return options;
  }
  std::vector<std::filesystem::path> candidates;
  if (const char* dir = std::getenv("DOCKER_CONFIG")) candidates.push_back(std::filesystem::path(dir) / "config.json");
  if (const char* home = std::getenv("HOME")) candidates.push_back(std::filesystem::path(home) / ".docker/config.json");
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_regular_file(candidate)) {
      options.docker_config = candidate.string();
      break;
    }
  }
  return options;
}

Result<std::unique_ptr<oci::RegistryClient>> registry_client_from(const CommandLine& line,
                                                                  boost::asio::any_io_executor executor,
                                                                  oci::HttpObserver observer) {
  auto options = registry_options_from(line);
  if (!options) return options.error();
  options->observer = std::move(observer);
  return oci::RegistryClient::create(std::move(executor), std::move(*options));
}

}  // namespace signet::server
