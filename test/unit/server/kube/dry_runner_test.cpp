#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "server/kube/dry_runner.hpp"
#include "test/unit/server/kube/test_api_server.hpp"

namespace signet::server::kube {
namespace {

using test::run_until_done;
using test::TestApiServer;
namespace json = policy::json;

oci::Deadline in_ten_seconds() { return oci::Clock::now() + std::chrono::seconds(10); }

json::Value parsed(std::string_view text) {
  auto value = json::parse(text);
  REQUIRE(value.ok());
  return *value;
}

const json::Value& at(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* value = &object;
  for (auto key : path) {
    value = value->find(key);
    REQUIRE(value != nullptr);
  }
  return *value;
}

constexpr std::string_view kDeployment =
    R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web-dry-run"},"spec":{"selector":)"
    R"({"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":)"
    R"([{"name":"web","image":"nginx:1.27"}]}}}})";

Error error_of(Result<json::Value> result) {
  REQUIRE_FALSE(result.ok());
  return result.error();
}

}  // namespace

TEST_CASE("a dry-run create answers the API server's defaults and stores nothing", "[kube][dryrun]") {
  TestApiServer server;
  boost::asio::io_context io;
  ApiDryRunner runner(server.config());
  auto created = run_until_done(io, runner.create(parsed(kDeployment), "signet-dryrun", in_ten_seconds()));
  REQUIRE(created.ok());
  CHECK(at(*created, {"spec", "replicas"}) == json::Value(1));
  CHECK(at(*created, {"metadata", "namespace"}).as_string() == "signet-dryrun");
  const auto& container = at(*created, {"spec", "template", "spec", "containers"}).as_array().front();
  CHECK(at(container, {"imagePullPolicy"}).as_string() == "IfNotPresent");
  CHECK(at(container, {"terminationMessagePath"}).as_string() == "/dev/termination-log");
  CHECK(at(*created, {"metadata", "uid"}).is_string());

  REQUIRE(run_until_done(io, runner.create(parsed(kDeployment), "signet-dryrun", in_ten_seconds())).ok());
  CHECK(runner.discoveries() == 1);  // the resource list is cached
  const std::string requests = server.requests();
  CHECK_THAT(requests, Catch::Contains("GET /apis/apps/v1 200"));
  CHECK_THAT(requests, Catch::Contains("POST /apis/apps/v1/namespaces/signet-dryrun/deployments?dryRun=All 201"));
  CHECK_THAT(test::run_ok("curl -sSk -o /dev/null -w '%{http_code}' '" + server.url() +
                          "/_test/object?path=/apis/apps/v1/namespaces/signet-dryrun/deployments/web-dry-run'"),
             Catch::Equals("404"));
}

TEST_CASE("a cluster-scoped kind is created without a namespace", "[kube][dryrun]") {
  TestApiServer server;
  boost::asio::io_context io;
  ApiDryRunner runner(server.config());
  const auto role = parsed(
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"reader-dry-run"},)"
      R"("rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]})");
  REQUIRE(run_until_done(io, runner.create(role, "", in_ten_seconds())).ok());
  CHECK_THAT(server.requests(), Catch::Contains("POST /apis/rbac.authorization.k8s.io/v1/clusterroles?dryRun=All 201"));
}

TEST_CASE("a 403 names the RBAC rule: create on the resource in the dry-run namespace", "[kube][dryrun]") {
  TestApiServer server({"--forbid", "deployments.apps"});
  boost::asio::io_context io;
  ApiDryRunner runner(server.config());
  const Error error =
      error_of(run_until_done(io, runner.create(parsed(kDeployment), "signet-dryrun", in_ten_seconds())));
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains("forbids signet to create deployments.apps in namespace signet-dryrun"));
  CHECK_THAT(error.message, Catch::Contains("grant signet's service account the verb \"create\" on the resource "
                                            "\"deployments\" of API group \"apps\" in a Role of namespace "
                                            "signet-dryrun"));
}

TEST_CASE("a kind or group version the API server does not serve is a clear error", "[kube][dryrun]") {
  TestApiServer server;
  boost::asio::io_context io;
  ApiDryRunner runner(server.config());
  const auto gizmo = parsed(R"({"apiVersion":"apps/v1","kind":"Gizmo","metadata":{"name":"g"}})");
  CHECK(error_of(run_until_done(io, runner.create(gizmo, "signet-dryrun", in_ten_seconds()))).message ==
        "the Kubernetes API server serves no kind Gizmo in apps/v1 (its discovery lists none; is its "
        "CustomResourceDefinition installed?)");
  const auto widget = parsed(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})");
  CHECK(error_of(run_until_done(io, runner.create(widget, "signet-dryrun", in_ten_seconds()))).message ==
        "the Kubernetes API server serves no example.com/v1 (GET /apis/example.com/v1: 404)");
}

TEST_CASE("an object the API server refuses is an error with its message", "[kube][dryrun]") {
  TestApiServer server;
  boost::asio::io_context io;
  ApiDryRunner runner(server.config());
  const auto no_selector =
      parsed(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web-dry-run"},"spec":{}})");
  const Error error = error_of(run_until_done(io, runner.create(no_selector, "signet-dryrun", in_ten_seconds())));
  CHECK_THAT(error.message, Catch::Contains("answered 422"));
  CHECK_THAT(error.message, Catch::Contains("spec.selector: Required value"));
}

TEST_CASE("a dry-run ends by the admission deadline, unavailable", "[kube][dryrun]") {
  TestApiServer server;
  boost::asio::io_context io;
  ApiDryRunner runner(server.config());
  REQUIRE(
      run_until_done(io, runner.create(parsed(kDeployment), "signet-dryrun", in_ten_seconds())).ok());  // discovered
  server.fault(R"({"hang": 10})");  // far beyond the deadline, so a wait for the answer shows, even on a busy machine
  const auto started = oci::Clock::now();
  const Error error = error_of(run_until_done(
      io, runner.create(parsed(kDeployment), "signet-dryrun", oci::Clock::now() + std::chrono::milliseconds(300))));
  CHECK(error.kind == Error::Kind::Unavailable);
  CHECK(oci::Clock::now() - started < std::chrono::seconds(5));
  server.fault(R"({"hang": 0})");
}

}  // namespace signet::server::kube
