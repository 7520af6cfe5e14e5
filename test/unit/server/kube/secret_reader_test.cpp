#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "oci/secret_source.hpp"
#include "policy/jmespath/json_value.hpp"
#include "policy/policy_set.hpp"
#include "server/kube/secret_reader.hpp"
#include "test/unit/policy/loader_test_support.hpp"
#include "test/unit/server/kube/test_api_server.hpp"

namespace signet::server::kube {
namespace {

using test::run_until_done;
using test::TestApiServer;

std::vector<std::string> secret_fixtures(std::vector<std::string> more = {}) {
  std::vector<std::string> options = {"--fixtures",
                                      std::string(SIGNET_SOURCE_DIR) + "/test/fixtures/kube/secrets.json"};
  options.insert(options.end(), more.begin(), more.end());
  return options;
}

oci::Deadline soon() { return oci::Clock::now() + std::chrono::seconds(10); }

SecretReaderOptions in_signet() {
  SecretReaderOptions options;
  options.own_namespace = "signet";
  return options;
}

std::string username_for_registry_example(const oci::DockerConfig& config) {
  auto match = config.match("registry.example", "team/app");
  return match ? match->credentials.username : "";
}

TEST_CASE("dockerconfigjson and dockercfg secrets give their registry credentials", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  auto json = run_until_done(io, reader.docker_config("", "regcred", soon()));
  REQUIRE(json.ok());
  REQUIRE(json->has_value());
  CHECK(username_for_registry_example(**json) == "alice");
  auto legacy = run_until_done(io, reader.docker_config("signet", "legacy", soon()));
  REQUIRE(legacy.ok());
  REQUIRE(legacy->has_value());
  CHECK(username_for_registry_example(**legacy) == "bob");
  auto other_namespace = run_until_done(io, reader.docker_config("team", "pull", soon()));
  REQUIRE(other_namespace.ok());
  CHECK(username_for_registry_example(**other_namespace) == "team");
}

TEST_CASE("a secret of another type is refused naming its type", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  auto opaque = run_until_done(io, reader.docker_config("", "opaque", soon()));
  REQUIRE_FALSE(opaque.ok());
  CHECK(opaque.error().kind == Error::Kind::Invalid);
  CHECK(opaque.error().message ==
        "Secret signet/opaque is of type Opaque; registry credentials are read from kubernetes.io/dockerconfigjson "
        "or kubernetes.io/dockercfg Secrets");
}

TEST_CASE("a missing secret is nothing, not an error, and is read again only after the cache time", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  boost::asio::io_context io;
  auto now = oci::Clock::now();
  SecretReaderOptions options = in_signet();
  options.now = [&now] { return now; };
  SecretReader reader(server.config(), options);
  auto missing = run_until_done(io, reader.docker_config("", "nosuch", soon()));
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  for (int i = 0; i < 3; ++i) REQUIRE(run_until_done(io, reader.docker_config("", "regcred", soon())).ok());
  CHECK(reader.reads() == 2);  // nosuch, regcred once
  now += std::chrono::seconds(29);
  REQUIRE(run_until_done(io, reader.docker_config("", "regcred", soon())).ok());
  CHECK(reader.reads() == 2);
  now += std::chrono::seconds(2);
  REQUIRE(run_until_done(io, reader.docker_config("", "regcred", soon())).ok());
  CHECK(reader.reads() == 3);
}

TEST_CASE("a rotated secret is seen once its cache time passed", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  boost::asio::io_context io;
  auto now = oci::Clock::now();
  SecretReaderOptions options = in_signet();
  options.now = [&now] { return now; };
  SecretReader reader(server.config(), options);
  auto before = reader.public_key("signet", "cosign-key");
  REQUIRE(before.ok());
  server.put(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"cosign-key","namespace":"signet"},)"
             R"("type":"Opaque","data":{"cosign.pub":"cm90YXRlZA=="}})");
  CHECK(*reader.public_key("signet", "cosign-key") == *before);
  now += std::chrono::seconds(31);
  CHECK(*reader.public_key("signet", "cosign-key") == "rotated");
}

TEST_CASE("a secret signet may not read is an Unavailable error naming the RBAC rule", "[kube][secrets]") {
  TestApiServer server(secret_fixtures({"--forbid", "secrets"}));
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  auto forbidden = run_until_done(io, reader.docker_config("team", "pull", soon()));
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().kind == Error::Kind::Unavailable);
  CHECK_THAT(forbidden.error().message, Catch::Contains("forbids signet to get secrets team/pull (403 Forbidden") &&
                                            Catch::Contains("grant signet's service account the verb \"get\" on the "
                                                            "resource \"secrets\""));
  auto key = reader.public_key("signet", "cosign-key");
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.error().message, Catch::Contains("403 Forbidden"));
}

TEST_CASE("cosign.pub is the public key of a k8s:// secret", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  SecretReader reader(server.config(), in_signet());
  auto key = reader.public_key("signet", "cosign-key");
  REQUIRE(key.ok());
  CHECK(key->starts_with("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7E2J3RiwQHnDdH"));
  auto missing = reader.public_key("signet", "nosuch");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "Secret signet/nosuch not found");
  auto no_key = reader.public_key("signet", "opaque");
  REQUIRE_FALSE(no_key.ok());
  CHECK(no_key.error().message == "Secret signet/opaque has no cosign.pub (it holds data keys token)");
}

TEST_CASE("service accounts give their image pull secrets; a missing one gives nothing", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  auto builder = run_until_done(io, reader.service_account_pull_secrets("team", "builder", soon()));
  REQUIRE(builder.ok());
  REQUIRE(builder->has_value());
  CHECK(**builder == std::vector<std::string>{"pull", "missing"});
  auto none = run_until_done(io, reader.service_account_pull_secrets("team", "default", soon()));
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("a pod's pull secrets come after the policy's and skip what holds no credentials", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  oci::Pull pull(soon(), {"regcred", "team/pull"}, oci::PodCredentials{"team", "builder", {"pull", "opaque"}});
  auto resolved = run_until_done(io, oci::resolve_secrets(reader, pull, true, {}));
  REQUIRE(resolved.ok());
  std::vector<std::string> policy, pod;
  for (const auto& named : (*resolved)->policy) policy.push_back(named.source);
  for (const auto& named : (*resolved)->pod) pod.push_back(named.source);
  CHECK(policy == std::vector<std::string>{"secret signet/regcred", "secret team/pull"});
  // "opaque" is not in team; "missing" (the service account's) does not exist: both skipped.
  CHECK(pod == std::vector<std::string>{"image pull secret team/pull"});

  auto without_pods = run_until_done(io, oci::resolve_secrets(reader, pull, false, {}));
  REQUIRE(without_pods.ok());
  CHECK((*without_pods)->pod.empty());

  auto missing = run_until_done(io, oci::resolve_secrets(reader, oci::Pull(soon(), {"nosuch"}), true, {}));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "registry credential secret signet/nosuch not found");
  auto wrong_type = run_until_done(io, oci::resolve_secrets(reader, oci::Pull(soon(), {"opaque"}), true, {}));
  REQUIRE_FALSE(wrong_type.ok());
  CHECK_THAT(wrong_type.error().message, Catch::StartsWith("registry credential secret signet/opaque: Secret "
                                                           "signet/opaque is of type Opaque"));
}

TEST_CASE("a pod's pull secret signet may not read makes the read fail, not go anonymous", "[kube][secrets]") {
  TestApiServer server(secret_fixtures({"--forbid", "secrets"}));
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  oci::Pull pull(soon(), {}, oci::PodCredentials{"team", "", {"pull"}});
  auto resolved = run_until_done(io, oci::resolve_secrets(reader, pull, true, {}));
  REQUIRE_FALSE(resolved.ok());
  CHECK(resolved.error().kind == Error::Kind::Unavailable);
  CHECK_THAT(resolved.error().message, Catch::StartsWith("image pull secret team/pull: "));
}

// A ConfigMap `keys` in namespace `default` holding `production`.
std::string keys_config_map(std::string_view production) {
  return policy::json::to_json(policy::json::Object{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", policy::json::Object{{"name", "keys"}, {"namespace", "default"}}},
      {"data", policy::json::Object{{"production", policy::json::Value(production)}}},
  });
}

TEST_CASE("a ConfigMap is read as Kyverno's context holds it: its data and metadata", "[kube][configmaps]") {
  TestApiServer server(secret_fixtures());
  server.put(keys_config_map("a key"));
  SecretReader reader(server.config(), in_signet());
  auto text = reader.config_map("default", "keys");
  REQUIRE(text.ok());
  auto json = policy::json::parse(*text);
  REQUIRE(json.ok());
  CHECK(json->find("data")->find("production")->as_string() == "a key");
  CHECK(json->find("metadata")->find("name")->as_string() == "keys");
  CHECK(json->find("kind") == nullptr);

  auto missing = reader.config_map("default", "nosuch");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "ConfigMap default/nosuch not found");
}

TEST_CASE("a ConfigMap signet may not read is an error naming it and the RBAC rule", "[kube][configmaps]") {
  TestApiServer server(secret_fixtures({"--forbid", "configmaps"}));
  SecretReader reader(server.config(), in_signet());
  auto forbidden = reader.config_map("default", "keys");
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().kind == Error::Kind::Unavailable);
  CHECK_THAT(forbidden.error().message,
             Catch::StartsWith("ConfigMap default/keys: ") && Catch::Contains("403 Forbidden") &&
                 Catch::Contains("grant signet's service account the verb \"get\" on the resource \"configmaps\""));
}

TEST_CASE("an edited ConfigMap reloads the policies that read it; a deleted one is refused", "[kube][configmaps]") {
  TestApiServer server(secret_fixtures());
  server.put(keys_config_map(policy::testing::kKeyA));
  auto now = oci::Clock::now();
  SecretReaderOptions options = in_signet();
  options.now = [&now] { return now; };
  auto reader = std::make_shared<SecretReader>(server.config(), options);
  policy::testing::TempFolder folder;
  std::string yaml = policy::testing::keyed_policy();
  yaml.replace(yaml.find("    match:\n"), 0,
               "    context:\n    - name: keys\n      configMap:\n        name: keys\n        namespace: default\n");
  const std::string written = "publicKeys: |-\n" + policy::testing::indent(policy::testing::kKeyA, 14);
  yaml.replace(yaml.find(written), written.size(), "publicKeys: \"{{ keys.data.production }}\"\n");
  folder.write("policy.yaml", yaml);
  policy::PolicyStore store(folder.path(), reader);
  auto first = store.reload(true);
  REQUIRE(first);
  for (const auto& error : first->errors) UNSCOPED_INFO(error.to_string());
  REQUIRE(first->errors.empty());
  const auto fingerprint = [&] { return store.current()->policies.front().rules[0].verify_images[0].fingerprint; };
  const std::string before = fingerprint();

  server.put(keys_config_map(policy::testing::kKeyB));
  CHECK_FALSE(store.reload());  // still within the cache time
  now += std::chrono::seconds(31);
  auto reloaded = store.reload();
  REQUIRE(reloaded);
  CHECK(reloaded->errors.empty());
  CHECK(fingerprint() != before);

  const std::string after = fingerprint();
  server.remove("ConfigMap", "keys", "default", "v1");
  now += std::chrono::seconds(31);
  auto refused = store.reload();
  REQUIRE(refused);
  REQUIRE(refused->errors.size() == 1);
  CHECK(refused->errors[0].field_path == "spec.rules[0].context[0].configMap");
  CHECK(refused->errors[0].message == "ConfigMap default/keys not found");
  CHECK(fingerprint() == after);  // the last good set stays in force
}

TEST_CASE("concurrent reads of one object share one API read", "[kube][secrets]") {
  TestApiServer server(secret_fixtures());
  server.fault(R"({"hang": 1})");
  boost::asio::io_context io;
  SecretReader reader(server.config(), in_signet());
  int answered = 0;
  for (int i = 0; i < 5; ++i) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          auto config = co_await reader.docker_config("", "regcred", soon());
          if (config.ok() && config->has_value()) ++answered;
        },
        boost::asio::detached);
  }
  io.run();
  server.fault(R"({"hang": 0})");
  CHECK(answered == 5);
  CHECK(reader.reads() == 1);
  const std::string requests = server.requests();
  const std::string read = "GET /api/v1/namespaces/signet/secrets/regcred 200";
  CHECK(requests.find(read) != std::string::npos);
  CHECK(requests.find(read) == requests.rfind(read));
}

}  // namespace
}  // namespace signet::server::kube
