// libFuzzer target: docker configs come from secrets that any namespace admin may write.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/docker_config.hpp"

namespace {

std::string_view line(std::string_view& rest) {
  const std::size_t end = rest.find('\n');
  const std::string_view out = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (auto config : {signet::oci::DockerConfig::parse(input), signet::oci::DockerConfig::parse_legacy(input)}) {
    if (!config) continue;
    (void)config->find("docker.io", "library/nginx");
    (void)config->find("127.0.0.1:5000", "team/app");
    (void)config->find("[::1]:5000", "");
    (void)config->helper_for("ghcr.io");
  }
  // The same bytes as "key\nregistry\nrepository" for the host matcher.
  std::string_view rest = input;
  const std::string_view key = line(rest);
  const std::string_view registry = line(rest);
  if (const auto parsed = signet::oci::CredentialKey::parse(key)) (void)parsed->match(registry, rest);
  return 0;
}
