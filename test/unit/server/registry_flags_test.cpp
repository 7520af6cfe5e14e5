#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/cli/registry_flags.hpp"

using namespace signet::server;

namespace {

CommandLine parse(const std::vector<std::string>& args) {
  auto line = CommandLine::parse(args, registry_flag_specs());
  REQUIRE(line.ok());
  return *line;
}

}  // namespace

TEST_CASE("registry flags fill the registry options", "[server][cli]") {
  auto options = registry_options_from(parse({"--insecure-registry", "a:5000", "--insecure-registry", "b"}));
  REQUIRE(options.ok());
  CHECK(options->insecure_registries == std::vector<std::string>{"a:5000", "b"});
  CHECK_THAT(registry_options_from(parse({"--registry-ca", "/nonexistent/ca.crt"})).error().message,
             Catch::Contains("--registry-ca /nonexistent/ca.crt: no such file"));
  CHECK_THAT(registry_options_from(parse({"--registry-config", "/nonexistent/config.json"})).error().message,
             Catch::Contains("--registry-config /nonexistent/config.json: no such file"));
}

TEST_CASE("caps, caches, concurrency and the secrets folder come from their flags", "[server][cli]") {
  const auto tmp = std::filesystem::temp_directory_path().string();
  auto options = registry_options_from(parse({"--max-layer-bytes", "1024", "--max-signatures", "8", "--tag-cache-ttl",
                                              "0", "--registry-concurrency", "4", "--registry-secrets", tmp}));
  REQUIRE(options.ok());
  CHECK(options->max_blob_bytes == 1024);
  CHECK(options->max_signatures == 8);
  CHECK(options->tag_ttl == std::chrono::seconds(0));
  CHECK(options->max_requests_per_registry == 4);
  CHECK(options->secrets_dir == tmp);
  // Defaults: the caps of DESIGN.md and a 30 s tag cache.
  auto defaults = registry_options_from(parse({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->max_blob_bytes == 4 * 1024 * 1024);
  CHECK(defaults->max_signatures == 64);
  CHECK(defaults->tag_ttl == std::chrono::seconds(30));
  CHECK(defaults->max_requests_per_registry == 16);

  CHECK_THAT(registry_options_from(parse({"--registry-secrets", "/nonexistent/secrets"})).error().message,
             Catch::Contains("--registry-secrets /nonexistent/secrets: no such folder"));
  CHECK_THAT(registry_options_from(parse({"--registry-concurrency", "0"})).error().message,
             Catch::Contains("--registry-concurrency must be at least 1"));
  CHECK_THAT(registry_options_from(parse({"--max-signatures", "many"})).error().message,
             Catch::Contains("--max-signatures must be a whole number"));
}

TEST_CASE("without --registry-config, $DOCKER_CONFIG/config.json is used when present", "[server][cli]") {
  auto dir = std::filesystem::temp_directory_path() / ("signet-docker-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config.json") << "{}";
  const char* previous = std::getenv("DOCKER_CONFIG");
  std::string saved = previous ? previous : "";
  ::setenv("DOCKER_CONFIG", dir.c_str(), 1);
  auto options = registry_options_from(parse({}));
  if (previous)
    ::setenv("DOCKER_CONFIG", saved.c_str(), 1);
  else
    ::unsetenv("DOCKER_CONFIG");
  std::filesystem::remove_all(dir);
  REQUIRE(options.ok());
  CHECK(options->docker_config == (dir / "config.json").string());
}
