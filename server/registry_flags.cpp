#include "server/registry_flags.hpp"

#include <cstdlib>
#include <filesystem>

namespace signet::server {

const char* const kRegistryFlagsHelp =
    "  --registry-ca FILE             extra CA bundle for registries, besides the system CAs\n"
    "  --insecure-registry HOST[:PORT]  allow plain HTTP to this registry (repeatable)\n"
    "  --registry-config FILE         docker config.json with registry credentials\n"
    "                                 (default $DOCKER_CONFIG/config.json, then ~/.docker/config.json)\n";

std::vector<FlagSpec> registry_flag_specs() { return {{"registry-ca"}, {"insecure-registry"}, {"registry-config"}}; }

Result<oci::RegistryOptions> registry_options_from(const CommandLine& line) {
  oci::RegistryOptions options;
  options.insecure_registries = line.all("insecure-registry");
  options.ca_file = line.get("registry-ca");
  if (!options.ca_file.empty() && !std::filesystem::is_regular_file(options.ca_file))
    return Error::invalid("--registry-ca " + options.ca_file + ": no such file");

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
                                                                  boost::asio::any_io_executor executor) {
  auto options = registry_options_from(line);
  if (!options) return options.error();
  return oci::RegistryClient::create(std::move(executor), std::move(*options));
}

}  // namespace signet::server
