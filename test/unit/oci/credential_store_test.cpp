#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "oci/credential_store.hpp"
#include "test_registry.hpp"

using signet::Error;
using signet::oci::Credentials;
using signet::oci::CredentialStore;
using signet::oci::FoundCredentials;
using signet::oci::RepositoryScope;
using signet::test::TempDir;

namespace {

// {"auths":{HOST:{"auth":base64(USER:p)}}}
std::string config_for(const std::string& host, const std::string& auth_base64) {
  return R"({"auths":{")" + host + R"(":{"auth":")" + auth_base64 + R"("}}})";
}

void write(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << content;
}

void write_secret(const TempDir& dir, const std::string& name, const std::string& content,
                  const std::string& file = ".dockerconfigjson") {
  write(dir / ("secrets/" + name + "/" + file), content);
}

CredentialStore open_store(const TempDir& dir, const std::string& docker_config = "",
                           std::chrono::milliseconds recheck = std::chrono::milliseconds(0)) {
  std::filesystem::create_directories(dir / "secrets");
  auto store = CredentialStore::open(docker_config, dir / "secrets", recheck);
  INFO((store ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return *store;
}

std::optional<FoundCredentials> found(const CredentialStore& store, const RepositoryScope& scope) {
  auto result = store.find(scope);
  INFO((result ? std::string() : result.error().message));
  REQUIRE(result.ok());
  return *result;
}

std::string username(const CredentialStore& store, const RepositoryScope& scope) {
  auto credentials = found(store, scope);
  return credentials ? credentials->credentials.username : "(none)";
}

Error error_of(const CredentialStore& store, const RepositoryScope& scope) {
  auto result = store.find(scope);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

// base64 of "<user>:pw"
constexpr auto kAlice = "YWxpY2U6cHc=";
constexpr auto kBob = "Ym9iOnB3";
constexpr auto kCarol = "Y2Fyb2w6cHc=";

}  // namespace

TEST_CASE("a named secret's dockerconfigjson gives the credentials and says where they came from",
          "[oci][credentials]") {
  TempDir dir;
  write_secret(dir, "regcred", config_for("ghcr.io", kAlice));
  const auto store = open_store(dir);
  const auto credentials = found(store, {"ghcr.io", "team/app", {"regcred"}});
  REQUIRE(credentials.has_value());
  CHECK(credentials->credentials == Credentials{"alice", "pw", "", ""});
  CHECK(credentials->source == "secret regcred");
  // A secret holding nothing for this registry gives nothing; without secrets named, none is read.
  CHECK_FALSE(found(store, {"quay.io", "team/app", {"regcred"}}).has_value());
  CHECK_FALSE(found(store, {"ghcr.io", "team/app", {}}).has_value());
}

TEST_CASE("a legacy kubernetes.io/dockercfg secret is read", "[oci][credentials]") {
  TempDir dir;
  write_secret(dir, "old", R"({"quay.io":{"auth":")" + std::string(kBob) + R"(","email":"b@x"}})", ".dockercfg");
  CHECK(username(open_store(dir), {"quay.io", "team/app", {"old"}}) == "bob");
}

TEST_CASE("a named secret that does not exist is an error naming it and the folder", "[oci][credentials]") {
  TempDir dir;
  write_secret(dir, "present", config_for("ghcr.io", kAlice));
  const auto store = open_store(dir);
  const Error error = error_of(store, {"ghcr.io", "team/app", {"present", "missing"}});
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK(error.message == "registry credential secret missing not found in " + dir / "secrets");
  // A folder without a docker config file is not a credential secret either.
  std::filesystem::create_directories(dir / "secrets/empty");
  CHECK_THAT(error_of(store, {"ghcr.io", "x", {"empty"}}).message, Catch::Contains("secret empty not found"));
  // Without a secrets folder, a named secret cannot be found and says so.
  auto bare = CredentialStore::open("", "");
  REQUIRE(bare.ok());
  CHECK_THAT(error_of(*bare, {"ghcr.io", "x", {"regcred"}}).message,
             Catch::Contains("regcred") && Catch::Contains("no secrets folder"));
}

TEST_CASE("secret names that are not Kubernetes names never reach the filesystem", "[oci][credentials]") {
  TempDir dir;
  write(dir / "outside/.dockerconfigjson", config_for("ghcr.io", kAlice));
  const auto store = open_store(dir);
  for (const char* name : {"../outside", "..", ".", "", "a/b", "UPPER", "-x", "ns/name"}) {
    INFO(name);
    CHECK_THAT(error_of(store, {"ghcr.io", "x", {name}}).message, Catch::Contains("is not a Kubernetes secret name"));
  }
}

TEST_CASE("named secrets come before the default docker config, the most specific entry first", "[oci][credentials]") {
  TempDir dir;
  write(dir / "config.json", config_for("ghcr.io", kCarol));
  write_secret(dir, "host-wide", config_for("ghcr.io", kAlice));
  write_secret(dir, "team", config_for("ghcr.io/team", kBob));
  const auto store = open_store(dir, dir / "config.json");
  CHECK(username(store, {"ghcr.io", "team/app", {"host-wide", "team"}}) == "bob");  // ghcr.io/team is more specific
  CHECK(username(store, {"ghcr.io", "other/app", {"host-wide", "team"}}) == "alice");
  CHECK(username(store, {"ghcr.io", "other/app", {"team"}}) == "carol");  // no secret matches: the default
  CHECK(username(store, {"ghcr.io", "other/app", {}}) == "carol");
  // On a tie, the secret named first wins.
  write_secret(dir, "host-wide-2", config_for("ghcr.io", kBob));
  CHECK(username(store, {"ghcr.io", "x", {"host-wide-2", "host-wide"}}) == "bob");
  CHECK(username(store, {"ghcr.io", "x", {"host-wide", "host-wide-2"}}) == "alice");
  CHECK(found(store, {"ghcr.io", "x", {}})->source == "docker config " + dir / "config.json");
}

TEST_CASE("a rotated secret is read again once its recheck interval passed", "[oci][credentials]") {
  TempDir dir;
  write_secret(dir, "regcred", config_for("ghcr.io", kAlice));
  const auto eager = open_store(dir, "", std::chrono::milliseconds(0));
  const auto lazy = open_store(dir, "", std::chrono::hours(1));
  const RepositoryScope scope{"ghcr.io", "team/app", {"regcred"}};
  CHECK(username(eager, scope) == "alice");
  CHECK(username(lazy, scope) == "alice");

  // Kubernetes rotates a mounted secret by pointing a symlink at a new file.
  write(dir / "secrets/regcred/..2024_new/.dockerconfigjson", config_for("ghcr.io", kBob));
  std::filesystem::remove(dir / "secrets/regcred/.dockerconfigjson");
  std::filesystem::create_symlink("..2024_new/.dockerconfigjson", dir / "secrets/regcred/.dockerconfigjson");
  CHECK(username(eager, scope) == "bob");
  // Within the interval the file is not even looked at: a burst of requests costs no stat.
  CHECK(username(lazy, scope) == "alice");

  // A rewrite in place is seen too, and a secret that disappears is an error, not anonymous access.
  write(dir / "secrets/regcred/..2024_new/.dockerconfigjson", config_for("ghcr.io", kCarol));
  CHECK(username(eager, scope) == "carol");
  std::filesystem::remove_all(dir / "secrets/regcred");
  CHECK_THAT(error_of(eager, scope).message, Catch::Contains("regcred not found"));
}

TEST_CASE("the default docker config is re-read when it changes", "[oci][credentials]") {
  TempDir dir;
  write(dir / "config.json", config_for("ghcr.io", kAlice));
  const auto store = open_store(dir, dir / "config.json");
  CHECK(username(store, {"ghcr.io", "x", {}}) == "alice");
  write(dir / "config.json", config_for("ghcr.io", kBob));
  CHECK(username(store, {"ghcr.io", "x", {}}) == "bob");
  write(dir / "config.json", "{broken");
  CHECK_THAT(error_of(store, {"ghcr.io", "x", {}}).message, Catch::Contains("not valid JSON"));
}

TEST_CASE("bad credential sources are refused when the store opens", "[oci][credentials]") {
  TempDir dir;
  auto missing = CredentialStore::open(dir / "nope.json", "");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains(dir / "nope.json"));
  write(dir / "file", "x");
  auto not_folder = CredentialStore::open("", dir / "file");
  REQUIRE_FALSE(not_folder.ok());
  CHECK_THAT(not_folder.error().message, Catch::Contains("secrets folder " + dir / "file" + " is not a folder"));
}

TEST_CASE("a malformed secret is an error naming the secret, never its content", "[oci][credentials]") {
  TempDir dir;
  write_secret(dir, "broken", R"({"auths":{"ghcr.io":{"username":"alice","password":["hunter2"]}}})");
  const Error error = error_of(open_store(dir), {"ghcr.io", "x", {"broken"}});
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains("registry credential secret broken") && !Catch::Contains("hunter2"));
}

TEST_CASE("credential helpers are found for the registries they hold", "[oci][credentials]") {
  TempDir dir;
  write(dir / "config.json", R"({"credHelpers":{"123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"}})");
  write_secret(dir, "desktop", R"({"auths":{},"credsStore":"desktop"})");
  const auto store = open_store(dir, dir / "config.json");
  const auto ecr = store.helper_for({"123.dkr.ecr.us-east-1.amazonaws.com", "app", {}});
  REQUIRE(ecr.has_value());
  CHECK(ecr->name == "ecr-login");
  CHECK(ecr->for_host);
  CHECK(ecr->source == "docker config " + dir / "config.json");
  CHECK_FALSE(store.helper_for({"ghcr.io", "app", {}}).has_value());
  const auto desktop = store.helper_for({"ghcr.io", "app", {"desktop"}});
  REQUIRE(desktop.has_value());
  CHECK(desktop->name == "desktop");
  CHECK_FALSE(desktop->for_host);
}

namespace {

signet::oci::NamedDockerConfig named(const std::string& source, const std::string& json) {
  auto config = signet::oci::DockerConfig::parse(json);
  REQUIRE(config.ok());
  return {source, std::move(*config)};
}

TEST_CASE("secrets read from the cluster are searched the policy's first, then the pod's, then the default",
          "[oci][credentials]") {
  TempDir dir;
  write(dir / "config.json", config_for("ghcr.io", kAlice));
  write_secret(dir, "regcred", config_for("ghcr.io", kBob));  // mounted, but the read was resolved
  const auto store = open_store(dir, dir / "config.json");
  auto resolved = std::make_shared<signet::oci::ResolvedSecrets>();
  RepositoryScope scope{"ghcr.io", "team/app", {"regcred"}, resolved, "team|default"};
  auto found = store.find(scope);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->source == "docker config " + (dir / "config.json"));

  resolved->pod.push_back(named("image pull secret team/pull", config_for("ghcr.io", kBob)));
  found = store.find(scope);
  REQUIRE(found->has_value());
  CHECK((*found)->source == "image pull secret team/pull");
  CHECK((*found)->credentials.username == "bob");

  resolved->policy.push_back(named("secret signet/regcred", config_for("ghcr.io/team", kAlice)));
  found = store.find(scope);
  REQUIRE(found->has_value());
  CHECK((*found)->source == "secret signet/regcred");
  CHECK((*found)->credentials.username == "alice");
}

}  // namespace
