#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "server/kube/api_client.hpp"
#include "test/unit/server/kube/test_api_server.hpp"

namespace signet::server::kube {
namespace {

using test::run_until_done;
using test::TestApiServer;

std::vector<std::string> names(const ObjectList& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items) out.push_back(item.name);
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_CASE("list reads every page with limit and continue", "[kube][client]") {
  TestApiServer server;
  boost::asio::io_context io;
  KubeClientOptions options;
  options.page_size = 2;
  KubeClient client(server.config(), options);
  auto list = run_until_done(io, client.list(cluster_image_policies()));
  REQUIRE(list.ok());
  CHECK(names(*list) == std::vector<std::string>{"check-base-images", "check-team-images", "check-tools"});
  CHECK_FALSE(list->resource_version.empty());
  CHECK(list->items[0].json.find("\"kind\":\"ClusterImagePolicy\"") != std::string::npos);
  const std::string requests = server.requests();
  CHECK(count(requests, "clusterimagepolicies?limit=2 200") == 1);
  CHECK(count(requests, "clusterimagepolicies?limit=2&continue=") == 1);

  // Namespaced kinds are listed across all namespaces.
  auto namespaced = run_until_done(io, client.list(image_policies()));
  REQUIRE(namespaced.ok());
  REQUIRE(namespaced->items.size() == 1);
  CHECK(namespaced->items[0].namespace_name == "payments");
}

TEST_CASE("a list whose continue token expired starts again", "[kube][client]") {
  TestApiServer server;
  server.fault(R"({"expire_continue": true})");
  boost::asio::io_context io;
  KubeClientOptions options;
  options.page_size = 2;
  KubeClient client(server.config(), options);
  auto list = run_until_done(io, client.list(cluster_image_policies()));
  REQUIRE(list.ok());
  CHECK(list->items.size() == 3);
  CHECK(count(server.requests(), " 410") == 1);
}

TEST_CASE("without valid credentials the error is 401 and says which credentials to check", "[kube][client]") {
  TestApiServer server;
  auto config = server.config();
  config.token = "wrong";
  boost::asio::io_context io;
  KubeClient client(config, {});
  auto message = test::error_of(run_until_done(io, client.list(cluster_image_policies()))).message;
  CHECK(message.find("401 Unauthorized") != std::string::npos);
  CHECK(message.find("list clusterimagepolicies.signet.dev") != std::string::npos);
  CHECK(message.find("service-account token or the kubeconfig user") != std::string::npos);
}

TEST_CASE("a forbidden resource is 403 naming the verb, resource and API group RBAC must allow", "[kube][client]") {
  TestApiServer server({"--forbid", "imagepolicies.signet.dev"});
  boost::asio::io_context io;
  KubeClient client(server.config(), {});
  auto message = test::error_of(run_until_done(io, client.list(image_policies()))).message;
  CHECK(message.find("403 Forbidden") != std::string::npos);
  CHECK(message.find("the verb \"list\" on the resource \"imagepolicies\" of API group \"signet.dev\"") !=
        std::string::npos);
  CHECK(message.find("cannot list resource") != std::string::npos);  // the API server's own words
}

TEST_CASE("a kind the API does not serve is 404 asking whether its CRD is installed", "[kube][client]") {
  TestApiServer server;
  boost::asio::io_context io;
  KubeClient client(server.config(), {});
  auto message =
      test::error_of(run_until_done(io, client.list({"example.dev", "v1", "widgets", "Widget", false}))).message;
  CHECK(message.find("CustomResourceDefinition widgets.example.dev") != std::string::npos);
  auto missing = run_until_done(io, client.get(cluster_image_policies(), "", "nope"));
  CHECK(test::error_of(missing).message.find("get clusterimagepolicies.signet.dev nope: not found") !=
        std::string::npos);
}

TEST_CASE("get reads one object; a client certificate authenticates too", "[kube][client]") {
  TestApiServer server;
  auto config = server.config();
  config.token.clear();
  config.client_cert_pem = test::read_file(server.dir() + "/client.crt");
  config.client_key_pem = test::read_file(server.dir() + "/client.key");
  boost::asio::io_context io;
  KubeClient client(config, {});
  auto object = run_until_done(io, client.get(image_policies(), "payments", "payments-images"));
  REQUIRE(object.ok());
  CHECK(object->name == "payments-images");
  CHECK(object->namespace_name == "payments");
}

TEST_CASE("a rotated service-account token is picked up without a restart", "[kube][client]") {
  TestApiServer server;
  test::TempDir dir;
  test::run_ok("printf signet-test-token > " + test::shell_quote(dir / "token"));
  auto config = server.config();
  config.token.clear();
  config.token_file = dir / "token";
  boost::asio::io_context io;
  KubeClient client(config, {});
  REQUIRE(run_until_done(io, client.list(cluster_image_policies())).ok());
  // The API server now accepts only the new token, and the file holds it.
  test::run_ok("echo rotated > " + test::shell_quote(server.dir() + "/tokens"));
  test::run_ok("echo rotated > " + test::shell_quote(dir / "token") + " && touch -d '+1 second' " +
               test::shell_quote(dir / "token"));
  CHECK(run_until_done(io, client.list(cluster_image_policies())).ok());
}

TEST_CASE("a server certificate from another CA is refused", "[kube][client]") {
  TestApiServer server;
  TestApiServer other;
  auto config = server.config();
  config.ca_file = other.dir() + "/ca.crt";
  boost::asio::io_context io;
  KubeClient client(config, {});
  auto error = test::error_of(run_until_done(io, client.list(cluster_image_policies())));
  CHECK(error.message.find("certificate verification failed") != std::string::npos);
}

struct Collected {
  std::vector<std::string> events;  // "ADDED name", "BOOKMARK"
  std::string last_version;
};

std::function<void(const WatchEvent&)> collect(Collected& into) {
  return [&into](const WatchEvent& event) {
    static const char* const kNames[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK"};
    std::string text = kNames[static_cast<int>(event.type)];
    if (event.type != WatchEvent::Type::Bookmark) text += " " + event.object.name;
    into.events.push_back(text);
    into.last_version = event.object.resource_version;
  };
}

TEST_CASE("watch hands over added, modified and deleted objects in order, and bookmarks", "[kube][client]") {
  TestApiServer server({"--bookmark-interval", "0.3"});
  boost::asio::io_context io;
  KubeClientOptions options;
  options.watch_timeout = std::chrono::seconds(1);
  KubeClient client(server.config(), options);
  auto list = run_until_done(io, client.list(cluster_image_policies()));
  REQUIRE(list.ok());
  server.put(test::cluster_image_policy("new-one"));
  server.put(test::cluster_image_policy("new-one", "registry.example/y/*"));
  server.remove("ClusterImagePolicy", "check-tools");
  Collected seen;
  auto ended = run_until_done(io, client.watch(cluster_image_policies(), list->resource_version, collect(seen)));
  REQUIRE(ended.ok());
  CHECK(*ended == WatchEnd::Closed);  // timeoutSeconds passed
  REQUIRE(seen.events.size() >= 4);
  CHECK(std::vector<std::string>(seen.events.begin(), seen.events.begin() + 3) ==
        std::vector<std::string>{"ADDED new-one", "MODIFIED new-one", "DELETED check-tools"});
  CHECK(seen.events.back() == "BOOKMARK");
  CHECK(std::stol(seen.last_version) > std::stol(list->resource_version));
  CHECK(server.requests().find("watch=true&allowWatchBookmarks=true&resourceVersion=" + list->resource_version) !=
        std::string::npos);
}

TEST_CASE("a watch dropped mid-stream resumes from the last resourceVersion, losing and repeating nothing",
          "[kube][client]") {
  TestApiServer server({"--bookmark-interval", "5"});
  boost::asio::io_context io;
  KubeClientOptions options;
  options.watch_timeout = std::chrono::seconds(1);
  KubeClient client(server.config(), options);
  auto list = run_until_done(io, client.list(cluster_image_policies()));
  REQUIRE(list.ok());
  for (const char* name : {"a", "b", "c", "d", "e"}) server.put(test::cluster_image_policy(name));
  server.fault(R"({"drop_watch_after": 2})");
  Collected seen;
  auto dropped = run_until_done(io, client.watch(cluster_image_policies(), list->resource_version, collect(seen)));
  CHECK(test::error_of(dropped).message.find("closed in the middle of the response") != std::string::npos);
  CHECK(seen.events == std::vector<std::string>{"ADDED a", "ADDED b"});
  const std::string resumed_from = seen.last_version;
  auto ended = run_until_done(io, client.watch(cluster_image_policies(), resumed_from, collect(seen)));
  REQUIRE(ended.ok());
  CHECK(seen.events == std::vector<std::string>{"ADDED a", "ADDED b", "ADDED c", "ADDED d", "ADDED e"});
  CHECK(server.requests().find("resourceVersion=" + resumed_from + "&") != std::string::npos);
}

TEST_CASE("a too old resourceVersion ends the watch as Gone, as an ERROR event or as a 410 status", "[kube][client]") {
  TestApiServer server;
  boost::asio::io_context io;
  KubeClient client(server.config(), {});
  auto list = run_until_done(io, client.list(cluster_image_policies()));
  REQUIRE(list.ok());
  server.put(test::cluster_image_policy("later"));
  server.fault(R"({"compact": true})");
  Collected seen;
  auto event = run_until_done(io, client.watch(cluster_image_policies(), list->resource_version, collect(seen)));
  REQUIRE(event.ok());
  CHECK(*event == WatchEnd::Gone);
  CHECK(seen.events.empty());
  server.fault(R"({"watch_gone": "status"})");
  auto status = run_until_done(io, client.watch(cluster_image_policies(), list->resource_version, collect(seen)));
  REQUIRE(status.ok());
  CHECK(*status == WatchEnd::Gone);
}

TEST_CASE("a watch that goes silent is given up after the idle timeout", "[kube][client]") {
  TestApiServer server({"--bookmark-interval", "30"});
  boost::asio::io_context io;
  KubeClientOptions options;
  options.watch_idle_timeout = std::chrono::milliseconds(500);
  KubeClient client(server.config(), options);
  auto list = run_until_done(io, client.list(cluster_image_policies()));
  REQUIRE(list.ok());
  Collected seen;
  const auto started = Clock::now();
  auto ended = run_until_done(io, client.watch(cluster_image_policies(), list->resource_version, collect(seen)));
  CHECK(test::error_of(ended).message.find("nothing came from the Kubernetes API server") != std::string::npos);
  CHECK(Clock::now() - started < std::chrono::seconds(5));
}

}  // namespace
}  // namespace signet::server::kube
