#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "oci/docker_config.hpp"

using signet::oci::Credentials;
using signet::oci::DockerConfig;

namespace {

DockerConfig parsed(const std::string& json) {
  auto config = DockerConfig::parse(json);
  INFO(json << " → " << (config ? std::string() : config.error().message));
  REQUIRE(config.ok());
  return *config;
}

std::string error_of(const std::string& json) {
  auto config = DockerConfig::parse(json);
  INFO(json);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().kind == signet::Error::Kind::Invalid);
  return config.error().message;
}

}  // namespace

TEST_CASE("auth holds base64 user:password", "[oci][docker-config]") {
  // "alice:s3cr:et" — the password may itself hold a colon.
  const auto config = parsed(R"({"auths":{"127.0.0.1:5000":{"auth":"YWxpY2U6czNjcjpldA=="}}})");
  CHECK(config.find("127.0.0.1:5000") == Credentials{"alice", "s3cr:et"});
  CHECK_FALSE(config.find("127.0.0.1:5001").has_value());
  CHECK_FALSE(config.find("127.0.0.1").has_value());
}

TEST_CASE("username and password fields are read when auth is absent", "[oci][docker-config]") {
  const auto config = parsed(R"({"auths":{"ghcr.io":{"username":"bob","password":"pw"}}})");
  CHECK(config.find("ghcr.io") == Credentials{"bob", "pw"});
}

TEST_CASE("keys match with or without scheme and path, case-insensitively", "[oci][docker-config]") {
  const auto config = parsed(R"({"auths":{
      "https://Registry.Example.com/v2/":{"auth":"dTE6cDE="},
      "http://localhost:5000":{"auth":"dTI6cDI="},
      "quay.io/some/path":{"auth":"dTM6cDM="}}})");
  CHECK(config.find("registry.example.com") == Credentials{"u1", "p1"});
  CHECK(config.find("localhost:5000") == Credentials{"u2", "p2"});
  CHECK(config.find("quay.io") == Credentials{"u3", "p3"});
}

TEST_CASE("Docker Hub credentials are found under any of its names", "[oci][docker-config]") {
  const auto config = parsed(R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnB3"}}})");
  CHECK(config.find("docker.io") == Credentials{"hub", "pw"});
  CHECK(config.find("registry-1.docker.io") == Credentials{"hub", "pw"});
  CHECK(config.find("index.docker.io") == Credentials{"hub", "pw"});
}

TEST_CASE("entries without credentials and other fields are skipped", "[oci][docker-config]") {
  const auto config = parsed(R"({"auths":{"a.io":{},"b.io":{"identitytoken":"t"},"c.io":{"auth":""}},
                                 "credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}})");
  CHECK(config.empty());
  CHECK(parsed("{}").empty());
}

TEST_CASE("malformed docker configs are refused naming the entry", "[oci][docker-config]") {
  CHECK_THAT(error_of("{"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(error_of(R"({"auths":[]})"), Catch::Contains("\"auths\" is not an object"));
  CHECK_THAT(error_of(R"({"auths":{"r.io":"x"}})"), Catch::Contains("auths[\"r.io\"] is not an object"));
  CHECK_THAT(error_of(R"({"auths":{"r.io":{"auth":"not base64!"}}})"),
             Catch::Contains("auths[\"r.io\"].auth is not base64"));
  CHECK_THAT(error_of(R"({"auths":{"r.io":{"auth":"bm9jb2xvbg=="}}})"), Catch::Contains("\"user:password\""));
}

TEST_CASE("a docker config is loaded from a file, and a missing file is named", "[oci][docker-config]") {
  char path[] = "/tmp/signet-docker-config-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << R"({"auths":{"r.io":{"auth":"dTpw"}}})";
  auto config = DockerConfig::load(path);
  std::remove(path);
  REQUIRE(config.ok());
  CHECK(config->find("r.io") == Credentials{"u", "p"});
  auto missing = DockerConfig::load("/nonexistent/signet/config.json");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/signet/config.json"));
}
