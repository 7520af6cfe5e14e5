// test/support/kube_api_server.py started on a free loopback port for one test, with helpers to change its
// objects, inject faults and read the requests it served.
#pragma once

#include <string>
#include <vector>

#include "server/kube/cluster_config.hpp"
#include "test/unit/oci/test_registry.hpp"

namespace signet::test {

inline constexpr const char* kTestToken = "signet-test-token";

class TestApiServer {
 public:
  // `options`: kube_api_server.py's (--forbid R, --bookmark-interval S); the fixtures of
  // test/fixtures/kube/policies.json are always loaded.
  explicit TestApiServer(std::vector<std::string> options = {}) : port_(free_port()), process_(argv(options)) {
    wait_for_port(port_);
  }

  std::string dir() const { return temp_ / "server"; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  // The token-authenticated config a pod would have.
  server::kube::ClusterConfig config() const {
    server::kube::ClusterConfig config;
    config.server = *oci::parse_url(url());
    config.ca_file = dir() + "/ca.crt";
    config.token = kTestToken;
    config.source = "the test config";
    return config;
  }

  // POST to a control endpoint; returns the answer.
  std::string control(const std::string& path, const std::string& json) const {
    return run_ok("curl -sSk -X POST --data-binary " + shell_quote(json) + " " + shell_quote(url() + path));
  }
  // An object put (created or replaced) on the server.
  void put(const std::string& object_json) const { control("/_test/objects", object_json); }
  void remove(const std::string& kind, const std::string& name, const std::string& ns = "",
              const std::string& api_version = "signet.dev/v1alpha1") const {
    control("/_test/delete", R"({"apiVersion":")" + api_version + R"(","kind":")" + kind + R"(","metadata":{"name":")" +
                                 name + "\"" + (ns.empty() ? "" : R"(,"namespace":")" + ns + "\"") + "}}");
  }
  void fault(const std::string& json) const { control("/_test/fault", json); }
  // The API requests served so far, one per line: "GET /apis/...?query 200".
  std::string requests() const { return run_ok("curl -sSk " + shell_quote(url() + "/_test/requests")); }

 private:
  std::vector<std::string> argv(const std::vector<std::string>& options) const {
    std::vector<std::string> out = {"/usr/bin/python3",
                                    std::string(SIGNET_SUPPORT_DIR) + "/kube_api_server.py",
                                    dir(),
                                    std::to_string(port_),
                                    "--token",
                                    kTestToken,
                                    "--fixtures",
                                    std::string(SIGNET_SOURCE_DIR) + "/test/fixtures/kube/policies.json"};
    out.insert(out.end(), options.begin(), options.end());
    return out;
  }

  TempDir temp_;
  int port_;
  ChildProcess process_;
};

// A ClusterImagePolicy named `name` for images under `pattern`, keyed with the fixtures' public key.
inline std::string cluster_image_policy(const std::string& name, const std::string& pattern = "registry.example/x/*") {
  return R"({"apiVersion":"signet.dev/v1alpha1","kind":"ClusterImagePolicy","metadata":{"name":")" + name +
         R"("},"spec":{"validationFailureAction":"Enforce","rules":[{"name":"verify","match":{"any":[{"resources":)"
         R"({"kinds":["Pod"]}}]},"verifyImages":[{"imageReferences":[")" +
         pattern +
         R"("],"attestors":[{"entries":[{"keys":{"publicKeys":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7E2J3RiwQHnDdH+Kz9/0CokYaYiA\n7VPw6QnCfVpJmaUc2Ydz3pXCXQpCPKWdFe/9oSCnUuny5OyqcY8iy2ENiw==\n-----END PUBLIC KEY-----","rekor":{"ignoreTlog":true}}}]}]}]}]}})";
}

}  // namespace signet::test
