// Registry authentication against Debian's docker-registry in `auth: token` mode and the token server of
// test/support/token_server.py: token lifetimes, identity tokens (OAuth2 refresh), credential secrets.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "oci/http_transport.hpp"
#include "oci/registry_auth.hpp"
#include "oci/registry_client.hpp"
#include "test_registry.hpp"

using signet::Error;
using signet::oci::Clock;
using signet::oci::CredentialStore;
using signet::oci::HttpRequest;
using signet::oci::HttpResponse;
using signet::oci::HttpTransport;
using signet::oci::HttpTransportOptions;
using signet::oci::parse_reference;
using signet::oci::parse_url;
using signet::oci::RegistryAuth;
using signet::oci::RegistryClient;
using signet::oci::RegistryOptions;
using signet::oci::RepositoryScope;
using signet::test::ChildProcess;
using signet::test::error_of;
using signet::test::read_file;
using signet::test::run_until_done;
using signet::test::soon;
using signet::test::TempDir;
using signet::test::TestRegistry;

namespace {

constexpr auto kBob = "bob:t0ken";

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

std::string base64(const std::string& text) {
  return signet::test::run_ok("printf %s " + signet::test::shell_quote(text) + " | base64 -w0");
}

void write(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << content;
}

// Replaces the token server registry.py started with one run with `options` on the same port (the realm the
// registry names), so a test can give it a short token lifetime or the OAuth2 mode.
std::unique_ptr<ChildProcess> restart_token_server(const TestRegistry& registry, std::vector<std::string> options) {
  const std::string config = read_file(registry.dir() + "/config.yml");
  const std::string host = "127.0.0.1:";
  const std::size_t realm = config.find(host, config.find("realm: "));
  REQUIRE(realm != std::string::npos);
  const std::string pid_file = registry.dir() + "/token.pid";
  const int pid = std::stoi(read_file(pid_file));
  REQUIRE(::kill(pid, SIGTERM) == 0);
  std::filesystem::remove(pid_file);
  const int port = std::stoi(config.substr(realm + host.size()));
  // Wait until the old server is gone (a zombie counts as gone) and so has let go of the port.
  const auto alive = [&] {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    return ::kill(pid, 0) == 0 && !stat.empty() && stat.substr(stat.rfind(')') + 2, 1) != "Z";
  };
  for (int i = 0; i < 100 && alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<std::string> argv{"/usr/bin/python3", std::string(SIGNET_SUPPORT_DIR) + "/token_server.py",
                                registry.dir(), std::to_string(port)};
  if (registry.tls()) argv.push_back("--tls");
  argv.insert(argv.end(), options.begin(), options.end());
  auto server = std::make_unique<ChildProcess>(argv);
  signet::test::wait_for_port(port);
  return server;
}

std::string docker_config_entry(const TestRegistry& registry, const std::string& entry) {
  return R"({"auths":{")" + registry.host() + R"(":)" + entry + "}}";
}

struct AuthClient {
  boost::asio::io_context ioc;
  RegistryClient client;

  explicit AuthClient(RegistryOptions options) : client(ioc.get_executor(), std::move(options)) {}

  signet::Result<std::string> resolve(const std::string& image) {
    auto reference = parse_reference(image);
    REQUIRE(reference.ok());
    return run_until_done(ioc, client.resolve_digest(*reference, soon()));
  }
};

// A manifest GET as the registry client makes it: the remembered header, then one challenge answered.
boost::asio::awaitable<signet::Result<HttpResponse>> get_manifest(HttpTransport& transport, RegistryAuth& auth,
                                                                  const TestRegistry& registry,
                                                                  const RepositoryScope& scope) {
  auto url = parse_url("https://" + registry.host() + "/v2/" + scope.repository + "/manifests/v1");
  REQUIRE(url.ok());
  HttpRequest request;
  request.url = *url;
  request.headers.push_back({"Accept", "application/vnd.oci.image.manifest.v1+json"});
  if (auto header = auth.cached(scope)) request.headers.push_back({"Authorization", *header});
  auto response = co_await transport.send(request, soon());
  if (!response || response->status != 401) co_return response;
  auto header = co_await auth.authorize(scope, *response, soon());
  if (!header) co_return header.error();
  request.headers.push_back({"Authorization", *header});
  co_return co_await transport.send(request, soon());
}

}  // namespace

TEST_CASE("a token is reused until shortly before it expires, then fetched again", "[oci][integration][auth]") {
  TestRegistry registry({"--tls", "--htpasswd", kBob, "--token"});
  for (const char* tag : {"v1", "v2", "v3"}) registry.push(std::string("team/app:") + tag, "short-lived tokens");
  const auto server = restart_token_server(registry, {"--creds", kBob, "--expires-in", "2"});
  TempDir work;
  RegistryOptions options;
  options.ca_file = registry.ca_file();
  options.docker_config = work / "config.json";
  write(options.docker_config, docker_config_entry(registry, R"({"auth":")" + base64(kBob) + R"("})"));
  AuthClient c(options);
  const std::string log = registry.dir() + "/token.log";
  // Each tag is a registry request of its own (a tag cache above this layer cannot hide it).
  REQUIRE(c.resolve(registry.host() + "/team/app:v1").ok());
  REQUIRE(c.resolve(registry.host() + "/team/app:v2").ok());
  CHECK(count(read_file(log), "repository:team/app:pull bob 200") == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  REQUIRE(c.resolve(registry.host() + "/team/app:v3").ok());
  CHECK(count(read_file(log), "repository:team/app:pull bob 200") == 2);
}

TEST_CASE("an identity token is exchanged by the OAuth2 refresh-token grant", "[oci][integration][auth]") {
  TestRegistry registry({"--tls", "--htpasswd", kBob, "--token"});
  const std::string digest = registry.push("team/app:v1", "behind an OAuth2 token server");
  const auto server = restart_token_server(registry, {"--refresh-token", "refresh-me-123"});
  TempDir work;
  RegistryOptions options;
  options.ca_file = registry.ca_file();
  options.docker_config = work / "config.json";
  // As `az acr login` writes it: a placeholder user with no password beside the identity token.
  const std::string user = base64("00000000-0000-0000-0000-000000000000:");

  SECTION("the right refresh token gets a pull token") {
    write(options.docker_config,
          docker_config_entry(registry, R"({"auth":")" + user + R"(","identitytoken":"refresh-me-123"})"));
    AuthClient c(options);
    CHECK(*c.resolve(registry.host() + "/team/app:v1") == digest);
    const std::string log = read_file(registry.dir() + "/token.log");
    CHECK(count(log, "repository:team/app:pull oauth 200") == 1);
  }
  SECTION("a refused refresh token says to check the credentials and never shows them") {
    write(options.docker_config,
          docker_config_entry(registry, R"({"auth":")" + user + R"(","identitytoken":"stale-token-456"})"));
    AuthClient c(options);
    const Error error = error_of(c.resolve(registry.host() + "/team/app:v1"));
    CHECK(error.kind == Error::Kind::Unavailable);
    CHECK_THAT(error.message,
               Catch::Contains("refused access (400)") && Catch::Contains("check credentials for " + registry.host()));
    CHECK_THAT(error.message, !Catch::Contains("stale-token-456"));
    CHECK(count(read_file(registry.dir() + "/token.log"), "repository:team/app:pull oauth 400") == 1);
  }
}

TEST_CASE("credential secrets named for a repository are used, and a missing one is an error",
          "[oci][integration][auth]") {
  TestRegistry registry({"--tls", "--htpasswd", kBob, "--token"});
  registry.push("team/app:v1", "behind a token server, credentials in a secret");
  TempDir work;
  write(work / "secrets/regcred/.dockerconfigjson",
        docker_config_entry(registry, R"({"auth":")" + base64(kBob) + R"("})"));
  write(work / "secrets/wrong/.dockerconfigjson",
        docker_config_entry(registry, R"({"auth":")" + base64("bob:guess") + R"("})"));
  auto store = CredentialStore::open("", work / "secrets");
  REQUIRE(store.ok());
  boost::asio::io_context ioc;
  HttpTransportOptions transport_options;
  transport_options.ca_file = registry.ca_file();
  HttpTransport transport(ioc.get_executor(), transport_options);
  RegistryAuth auth(transport, *store);
  const auto get = [&](std::vector<std::string> secrets) {
    return run_until_done(ioc, get_manifest(transport, auth, registry, {registry.host(), "team/app", secrets}));
  };

  auto response = get({"regcred"});
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(count(read_file(registry.dir() + "/token.log"), "repository:team/app:pull bob 200") == 1);
  // The token is remembered for these credentials: no second token request.
  CHECK(get({"regcred"})->status == 200);
  CHECK(count(read_file(registry.dir() + "/token.log"), "repository:team/app:pull bob 200") == 1);

  const Error refused = error_of(get({"wrong"}));
  CHECK(refused.kind == Error::Kind::Unavailable);
  CHECK_THAT(refused.message, Catch::Contains("check credentials") && Catch::Contains("in secret wrong"));
  CHECK_THAT(refused.message, !Catch::Contains("guess"));

  const Error missing = error_of(get({"regcred-typo"}));
  CHECK(missing.kind == Error::Kind::Invalid);
  CHECK(missing.message == "registry credential secret regcred-typo not found in " + work / "secrets");

  const Error anonymous = error_of(get({}));
  CHECK_THAT(anonymous.message, Catch::Contains("check credentials") && Catch::Contains("none are configured"));
}

TEST_CASE("credentials held by a credential helper are named in the refusal", "[oci][integration][auth]") {
  TestRegistry registry({"--tls", "--htpasswd", kBob, "--token"});
  registry.push("team/app:v1", "credentials in a helper");
  TempDir work;
  RegistryOptions options;
  options.ca_file = registry.ca_file();
  options.docker_config = work / "config.json";
  write(options.docker_config, R"({"credHelpers":{")" + registry.host() + R"(":"ecr-login"}})");
  AuthClient c(options);
  const Error error = error_of(c.resolve(registry.host() + "/team/app:v1"));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK_THAT(error.message,
             Catch::Contains("credentials for " + registry.host() + " come from credential helper ecr-login") &&
                 Catch::Contains("which signet does not run; put them in a dockerconfigjson secret"));
  // The host's helper is named, so signet did not try an anonymous token first.
  CHECK(count(read_file(registry.dir() + "/token.log"), "repository:team/app:pull - ") == 0);
}
