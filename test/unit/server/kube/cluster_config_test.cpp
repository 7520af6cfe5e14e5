#include <fstream>
#include <map>
#include <thread>

#include <catch2/catch.hpp>

#include "crypto/encoding.hpp"
#include "server/kube/backoff.hpp"
#include "server/kube/cluster_config.hpp"
#include "server/kube/token_source.hpp"
#include "test/unit/oci/test_registry.hpp"

namespace signet::server::kube {
namespace {

using test::TempDir;

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

GetEnv environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kPodEnvironment = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                            {"KUBERNETES_SERVICE_PORT", "443"}};

// A kubeconfig with one cluster and one user whose fields are `user_yaml` (indented under `user:`).
std::string kubeconfig(const std::string& cluster_yaml, const std::string& user_yaml,
                       const std::string& current = "work") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + current + "\nclusters:\n- name: prod\n  cluster:\n" +
         cluster_yaml + "\nusers:\n- name: admin\n  user:\n" + user_yaml +
         "\ncontexts:\n- name: work\n  context: {cluster: prod, user: admin, namespace: team-a}\n"
         "- name: other\n  context: {cluster: prod, user: admin, namespace: team-b}\n";
}

TEST_CASE("in-cluster config reads the service account's token file, CA and namespace", "[kube][config]") {
  TempDir dir;
  write(dir / "token", "t0");
  write(dir / "ca.crt", "pem");
  write(dir / "namespace", "signet-system\n");
  auto config = in_cluster_config(environment(kPodEnvironment), dir.path());
  REQUIRE(config.ok());
  CHECK(config->server.str() == "https://10.96.0.1:443/");
  CHECK(config->token_file == dir / "token");
  CHECK(config->ca_file == dir / "ca.crt");
  CHECK(config->default_namespace == "signet-system");
}

TEST_CASE("in-cluster config takes an IPv6 service address", "[kube][config]") {
  TempDir dir;
  write(dir / "token", "t0");
  write(dir / "ca.crt", "pem");
  auto config = in_cluster_config(
      environment({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}}), dir.path());
  REQUIRE(config.ok());
  CHECK(config->server.authority() == "[fd00::1]:6443");
}

TEST_CASE("outside a pod, in-cluster config says to give --kubeconfig", "[kube][config]") {
  auto config = in_cluster_config(environment({}), "/nonexistent");
  CHECK(test::error_of(config).message.find("--kubeconfig") != std::string::npos);
}

TEST_CASE("in-cluster config without a mounted token names the file and the likely cause", "[kube][config]") {
  TempDir dir;
  write(dir / "ca.crt", "pem");
  auto message = test::error_of(in_cluster_config(environment(kPodEnvironment), dir.path())).message;
  CHECK(message.find(dir / "token") != std::string::npos);
  CHECK(message.find("automountServiceAccountToken") != std::string::npos);
}

TEST_CASE("kubeconfig: the current context's cluster and token, with a CA path relative to the file",
          "[kube][config]") {
  TempDir dir;
  write(dir / "kc",
        kubeconfig("    server: https://api.example:6443\n    certificate-authority: certs/ca.pem", "    token: abc"));
  auto config = kubeconfig_config(dir / "kc");
  REQUIRE(config.ok());
  CHECK(config->server.authority() == "api.example:6443");
  CHECK(config->ca_file == dir / "certs/ca.pem");
  CHECK(config->token == "abc");
  CHECK(config->default_namespace == "team-a");
  CHECK(config->source.find("context work") != std::string::npos);
}

TEST_CASE("kubeconfig: a context named explicitly wins over current-context", "[kube][config]") {
  TempDir dir;
  write(dir / "kc", kubeconfig("    server: https://api.example", "    tokenFile: /var/token"));
  auto config = kubeconfig_config(dir / "kc", "other");
  REQUIRE(config.ok());
  CHECK(config->default_namespace == "team-b");
  CHECK(config->token_file == "/var/token");
  CHECK(test::error_of(kubeconfig_config(dir / "kc", "missing")).message.find("no contexts entry named \"missing\"") !=
        std::string::npos);
}

TEST_CASE("kubeconfig: certificate data and a client certificate with its key are decoded", "[kube][config]") {
  TempDir dir;
  write(dir / "key.pem", "KEY");
  write(dir / "kc",
        kubeconfig(
            "    server: https://127.0.0.1:6443\n    certificate-authority-data: " + crypto::base64_encode("CA PEM"),
            "    client-certificate-data: " + crypto::base64_encode("CERT PEM") + "\n    client-key: key.pem"));
  auto config = kubeconfig_config(dir / "kc");
  REQUIRE(config.ok());
  CHECK(config->ca_pem == "CA PEM");
  CHECK(config->client_cert_pem == "CERT PEM");
  CHECK(config->client_key_pem == "KEY");
}

TEST_CASE("kubeconfig: insecure-skip-tls-verify is refused", "[kube][config]") {
  TempDir dir;
  write(dir / "kc", kubeconfig("    server: https://api.example\n    insecure-skip-tls-verify: true", "    token: x"));
  CHECK(test::error_of(kubeconfig_config(dir / "kc")).message.find("insecure-skip-tls-verify is refused") !=
        std::string::npos);
}

TEST_CASE("kubeconfig: an exec plugin is refused naming the user and what to use instead", "[kube][config]") {
  TempDir dir;
  write(dir / "kc", kubeconfig("    server: https://api.example",
                               "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws"));
  auto message = test::error_of(kubeconfig_config(dir / "kc")).message;
  CHECK(message.find("user \"admin\" authenticates with an exec plugin") != std::string::npos);
  CHECK(message.find("token file or a client certificate") != std::string::npos);
}

TEST_CASE("kubeconfig: a certificate without its key, plain http and a missing file are refused", "[kube][config]") {
  TempDir dir;
  write(dir / "kc",
        kubeconfig("    server: https://api.example", "    client-certificate-data: " + crypto::base64_encode("CERT")));
  CHECK(test::error_of(kubeconfig_config(dir / "kc")).message.find("without its key") != std::string::npos);
  write(dir / "kc", kubeconfig("    server: http://api.example:8080", "    token: x"));
  CHECK(test::error_of(kubeconfig_config(dir / "kc")).message.find("must be https://") != std::string::npos);
  CHECK(test::error_of(kubeconfig_config(dir / "absent")).message.find(dir / "absent") != std::string::npos);
}

TEST_CASE("a rotated token file is read again", "[kube][config]") {
  TempDir dir;
  write(dir / "token", "first\n");
  TokenSource source("", dir / "token");
  CHECK(*source.current() == "first");
  write(dir / "token", "second-token");
  CHECK(*source.current() == "second-token");
  CHECK(*TokenSource("fixed", "").current() == "fixed");
  std::filesystem::remove(dir / "token");
  CHECK(test::error_of(source.current()).message.find(dir / "token") != std::string::npos);
}

TEST_CASE("backoff doubles up to its cap, each wait drawn between half and whole", "[kube][backoff]") {
  using std::chrono::milliseconds;
  Backoff backoff(milliseconds(100), milliseconds(1000), 42);
  const long wholes[] = {100, 200, 400, 800, 1000, 1000};
  for (long whole : wholes) {
    const auto wait = backoff.next().count();
    CHECK(wait >= whole / 2);
    CHECK(wait <= whole);
  }
  backoff.reset();
  CHECK(backoff.next().count() <= 100);
  // Jitter: two replicas seeded differently do not wait the same.
  Backoff a(milliseconds(1000), milliseconds(60000), 1), b(milliseconds(1000), milliseconds(60000), 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ = differ || a.next() != b.next();
  CHECK(differ);
}

}  // namespace
}  // namespace signet::server::kube
