#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "oci/docker_config.hpp"

using signet::oci::CredentialKey;
using signet::oci::Credentials;
using signet::oci::DockerConfig;

namespace {

Credentials user(std::string name, std::string password) { return {std::move(name), std::move(password), {}, {}}; }

DockerConfig parsed_config(const std::string& json) {
  auto config = DockerConfig::parse(json);
  INFO(json << " → " << (config ? std::string() : config.error().message));
  REQUIRE(config.ok());
  return *config;
}

std::string config_error(const std::string& json) {
  auto config = DockerConfig::parse(json);
  INFO(json);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().kind == signet::Error::Kind::Invalid);
  return config.error().message;
}

}  // namespace

TEST_CASE("auth holds base64 user:password", "[oci][docker-config]") {
  // "alice:s3cr:et" — the password may itself hold a colon.
  const auto config = parsed_config(R"({"auths":{"127.0.0.1:5000":{"auth":"YWxpY2U6czNjcjpldA=="}}})");
  CHECK(config.find("127.0.0.1:5000") == user("alice", "s3cr:et"));
  CHECK_FALSE(config.find("127.0.0.1:5001").has_value());
  CHECK_FALSE(config.find("127.0.0.1").has_value());
}

TEST_CASE("username and password fields are read when auth is absent", "[oci][docker-config]") {
  const auto config = parsed_config(R"({"auths":{"ghcr.io":{"username":"bob","password":"pw"}}})");
  CHECK(config.find("ghcr.io") == user("bob", "pw"));
}

TEST_CASE("keys match with or without scheme and path, case-insensitively", "[oci][docker-config]") {
  const auto config = parsed_config(R"({"auths":{
      "https://Registry.Example.com/v2/":{"auth":"dTE6cDE="},
      "http://localhost:5000":{"auth":"dTI6cDI="},
      "quay.io/some/path":{"auth":"dTM6cDM="}}})");
  CHECK(config.find("registry.example.com") == user("u1", "p1"));
  CHECK(config.find("localhost:5000") == user("u2", "p2"));
  CHECK(config.find("quay.io", "some/path/app") == user("u3", "p3"));
  CHECK_FALSE(config.find("quay.io", "other/app").has_value());
}

TEST_CASE("Docker Hub credentials are found under any of its names", "[oci][docker-config]") {
  const auto config = parsed_config(R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnB3"}}})");
  CHECK(config.find("docker.io") == user("hub", "pw"));
  CHECK(config.find("registry-1.docker.io") == user("hub", "pw"));
  CHECK(config.find("index.docker.io") == user("hub", "pw"));
}

TEST_CASE("entries without credentials are skipped", "[oci][docker-config]") {
  const auto config =
      parsed_config(R"({"auths":{"a.io":{},"c.io":{"auth":""},"d.io":{"email":"x@y"}},"HttpHeaders":{}})");
  CHECK(config.empty());
  CHECK(parsed_config("{}").empty());
}

TEST_CASE("identity tokens and registry tokens are read beside or instead of a password", "[oci][docker-config]") {
  // ACR writes a zero-GUID user with an empty password and the refresh token as identitytoken.
  const auto config = parsed_config(R"({"auths":{
      "myacr.azurecr.io":{"auth":"MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOg==","identitytoken":"eyJ.refresh"},
      "b.io":{"identitytoken":"t"},
      "c.io":{"registrytoken":"rt"}}})");
  CHECK(config.find("myacr.azurecr.io") == Credentials{"00000000-0000-0000-0000-000000000000", "", "eyJ.refresh", ""});
  CHECK(config.find("b.io") == Credentials{"", "", "t", ""});
  CHECK(config.find("c.io") == Credentials{"", "", "", "rt"});
}

TEST_CASE("credential helpers are reported for the hosts they hold", "[oci][docker-config]") {
  const auto config =
      parsed_config(R"({"credHelpers":{"https://gcr.io":"gcloud","123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"},
                                 "credsStore":"desktop"})");
  CHECK(config.empty());
  CHECK(config.helper_for("gcr.io") == "gcloud");
  CHECK(config.helper_names_host("gcr.io"));
  CHECK(config.helper_for("123.dkr.ecr.us-east-1.amazonaws.com") == "ecr-login");
  // credsStore holds every other registry's credentials.
  CHECK(config.helper_for("ghcr.io") == "desktop");
  CHECK_FALSE(config.helper_names_host("ghcr.io"));
  CHECK_FALSE(parsed_config(R"({"auths":{}})").helper_for("ghcr.io").has_value());
}

TEST_CASE("the legacy dockercfg form is the auths map alone", "[oci][docker-config]") {
  auto config = DockerConfig::parse_legacy(R"({"https://index.docker.io/v1/":{"auth":"aHViOnB3","email":"a@b"}})");
  REQUIRE(config.ok());
  CHECK(config->find("docker.io", "library/nginx") == user("hub", "pw"));
}

// kubelet's keyring cases (pkg/credentialprovider/keyring_test.go), with signet's whole-segment paths.
TEST_CASE("credential keys match registries and repositories as kubelet's keyring does", "[oci][docker-config]") {
  struct Case {
    const char* key;
    const char* registry;
    const char* repository;
    bool matches;
  };
  const Case cases[] = {
      {"quay.io", "quay.io", "foo/bar", true},
      {"https://quay.io/", "quay.io", "foo/bar", true},
      {"http://quay.io", "quay.io", "foo/bar", true},
      {"quay.io/foo", "quay.io", "foo/bar", true},
      {"quay.io/foo", "quay.io", "foo", true},
      {"https://quay.io/foo/", "quay.io", "foo/bar", true},
      {"quay.io/foo", "quay.io", "bar/baz", false},
      {"quay.io/foo", "quay.io", "foobar/baz", false},  // kubelet matches here: a plain string prefix
      {"quay.io/v2/foo", "quay.io", "foo/bar", true},   // /v1/ and /v2/ are API versions, not paths
      {"https://index.docker.io/v1/", "docker.io", "library/nginx", true},
      {"index.docker.io", "docker.io", "library/nginx", true},
      {"registry-1.docker.io", "docker.io", "library/nginx", true},
      {"docker.io", "index.docker.io", "library/nginx", true},
      {"docker.io/library", "docker.io", "library/nginx", true},
      {"docker.io/library", "docker.io", "team/nginx", false},
      {"*.docker.io", "blah.docker.io", "a", true},
      {"*.docker.io", "not.right.io", "a", false},
      {"*.docker.io", "docker.io", "a", false},  // * is one label, never none
      {"*.docker.io", "a.b.docker.io", "a", false},
      {"*.*.io", "a.b.io", "x", true},
      {"k8s.*.io", "k8s.gcr.io", "x", true},
      {"app*.k8s.io", "app1.k8s.io", "x", true},
      {"app*.k8s.io", "web.k8s.io", "x", false},
      {"*.azurecr.io", "myacr.azurecr.io", "team/app", true},
      {"registry.io:8080", "registry.io:8080", "x", true},
      {"registry.io:8080", "registry.io", "x", false},  // ports are significant both ways
      {"registry.io", "registry.io:8080", "x", false},
      {"registry.io:8080/path", "registry.io:8080", "path/app", true},
      {"127.0.0.1:5000", "127.0.0.1:5000", "x", true},
      {"127.0.0.1:5000", "127.0.0.1:5001", "x", false},
      {"Registry.Example.COM", "registry.example.com", "x", true},
      {"[::1]:5000", "[::1]:5000", "x", true},
  };
  for (const auto& c : cases) {
    INFO(c.key << " vs " << c.registry << "/" << c.repository);
    const auto key = CredentialKey::parse(c.key);
    REQUIRE(key.has_value());
    CHECK(key->match(c.registry, c.repository).has_value() == c.matches);
  }
  CHECK_FALSE(CredentialKey::parse("https:///path").has_value());
}

TEST_CASE("the most specific key wins: longest path, then fewest wildcards", "[oci][docker-config]") {
  const auto config = parsed_config(R"({"auths":{
      "*.example.com":{"auth":"d2lsZDpw"},
      "registry.example.com":{"auth":"aG9zdDpw"},
      "registry.example.com/team":{"auth":"dGVhbTpw"},
      "registry.example.com/team/app":{"auth":"YXBwOnA="}}})");
  CHECK(config.find("registry.example.com", "team/app/sub") == user("app", "p"));
  CHECK(config.find("registry.example.com", "team/other") == user("team", "p"));
  CHECK(config.find("registry.example.com", "elsewhere") == user("host", "p"));
  CHECK(config.find("mirror.example.com", "team/app") == user("wild", "p"));
  CHECK_FALSE(config.find("example.com", "team/app").has_value());
}

TEST_CASE("malformed docker configs are refused naming the entry", "[oci][docker-config]") {
  CHECK_THAT(config_error("{"), Catch::Contains("not valid JSON"));
  CHECK_THAT(config_error("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(config_error(R"({"auths":[]})"), Catch::Contains("\"auths\" is not an object"));
  CHECK_THAT(config_error(R"({"auths":{"r.io":"x"}})"), Catch::Contains("auths[\"r.io\"] is not an object"));
  CHECK_THAT(config_error(R"({"auths":{"r.io":{"auth":"not base64!"}}})"),
             Catch::Contains("auths[\"r.io\"].auth is not base64"));
  CHECK_THAT(config_error(R"({"auths":{"r.io":{"auth":"bm9jb2xvbg=="}}})"), Catch::Contains("\"user:password\""));
  CHECK_THAT(config_error(R"({"auths":{"r.io":{"identitytoken":7}}})"),
             Catch::Contains("auths[\"r.io\"].identitytoken is not a string"));
  CHECK_THAT(config_error(R"({"credHelpers":{"r.io":1}})"), Catch::Contains("credHelpers[\"r.io\"] is not a string"));
  // The secret part of an entry never appears in a message.
  CHECK_THAT(config_error(R"({"auths":{"r.io":{"username":"u","password":12345678}}})"),
             !Catch::Contains("12345678") && Catch::Contains("password is not a string"));
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
  CHECK(config->find("r.io") == user("u", "p"));
  auto missing = DockerConfig::load("/nonexistent/signet/config.json");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/signet/config.json"));
}
