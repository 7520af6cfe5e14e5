#include <thread>

#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include "server/kube/leader_election.hpp"
#include "test/unit/server/kube/test_api_server.hpp"

namespace signet::server::kube {
namespace {

using test::TestApiServer;

constexpr const char* kLeasePath = "/apis/coordination.k8s.io/v1/namespaces/signet-system/leases/signet";

LeaderElectionOptions options_for(const std::string& identity,
                                  std::chrono::milliseconds lease = std::chrono::seconds(1)) {
  LeaderElectionOptions options;
  options.namespace_name = "signet-system";
  options.identity = identity;
  options.lease_duration = lease;
  options.renew_deadline = lease * 2 / 3;
  options.retry_period = std::chrono::milliseconds(100);
  options.request_timeout = std::chrono::seconds(5);
  return options;
}

// The Lease as the server stores it (its spec and resourceVersion), read through the control endpoint.
struct StoredLease {
  bool exists = false;
  std::string holder;
  std::string resource_version;
  std::int64_t transitions = -1;
  std::string renew_time;
};

StoredLease stored_lease(const TestApiServer& server) {
  const std::string json =
      test::run_ok("curl -sSk " + test::shell_quote(server.url() + "/_test/object?path=" + kLeasePath));
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  StoredLease lease;
  if (!doc.IsObject() || !doc.HasMember("spec")) return lease;
  lease.exists = true;
  const auto& spec = doc["spec"];
  lease.holder = spec.HasMember("holderIdentity") ? spec["holderIdentity"].GetString() : "";
  lease.resource_version = doc["metadata"]["resourceVersion"].GetString();
  if (spec.HasMember("leaseTransitions")) lease.transitions = spec["leaseTransitions"].GetInt64();
  if (spec.HasMember("renewTime")) lease.renew_time = spec["renewTime"].GetString();
  return lease;
}

TEST_CASE("the first replica creates the Lease and leads; another does not while it is renewed", "[kube][leader]") {
  TestApiServer server;
  LeaderElector a(server.config(), options_for("replica-a"));
  LeaderElector b(server.config(), options_for("replica-b"));
  std::vector<bool> changes;
  LeaderElector observed(server.config(), options_for("replica-c"), [&](bool leading) { changes.push_back(leading); });

  auto first = a.try_acquire_or_renew();
  REQUIRE(first.ok());
  CHECK(*first);
  CHECK(a.leading());
  StoredLease lease = stored_lease(server);
  CHECK(lease.holder == "replica-a");
  CHECK(lease.transitions == 0);
  CHECK(server.requests().find("POST /apis/coordination.k8s.io/v1/namespaces/signet-system/leases 201") !=
        std::string::npos);

  auto second = b.try_acquire_or_renew();
  REQUIRE(second.ok());
  CHECK_FALSE(*second);
  CHECK_FALSE(b.leading());

  // Renewing moves renewTime and the resourceVersion; the holder stays.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(*a.try_acquire_or_renew());
  StoredLease renewed = stored_lease(server);
  CHECK(renewed.holder == "replica-a");
  CHECK(renewed.resource_version != lease.resource_version);
  CHECK(renewed.renew_time != lease.renew_time);
  CHECK(renewed.transitions == 0);
  CHECK_FALSE(*b.try_acquire_or_renew());
  CHECK_FALSE(*observed.try_acquire_or_renew());
  CHECK(changes.empty());  // never led, so never told
}

TEST_CASE("a Lease its holder stops renewing is taken over after the lease duration", "[kube][leader]") {
  TestApiServer server;
  LeaderElector a(server.config(), options_for("replica-a"));
  LeaderElector b(server.config(), options_for("replica-b"));
  REQUIRE(*a.try_acquire_or_renew());
  CHECK_FALSE(*b.try_acquire_or_renew());  // b starts its clock on what it saw

  // a stops renewing (it hangs, or its node is gone). Before a whole lease duration b still waits.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK_FALSE(*b.try_acquire_or_renew());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto taken = b.try_acquire_or_renew();
  REQUIRE(taken.ok());
  CHECK(*taken);
  StoredLease lease = stored_lease(server);
  CHECK(lease.holder == "replica-b");
  CHECK(lease.transitions == 1);

  // a comes back: the Lease changed under it, so it follows, it does not fight.
  auto back = a.try_acquire_or_renew();
  REQUIRE(back.ok());
  CHECK_FALSE(*back);
  CHECK_FALSE(a.leading());
  CHECK(stored_lease(server).holder == "replica-b");
}

TEST_CASE("a 409 Conflict on the Lease loses cleanly: someone else wrote it first", "[kube][leader]") {
  TestApiServer server;
  std::vector<bool> changes;
  LeaderElector a(server.config(), options_for("replica-a"), [&](bool leading) { changes.push_back(leading); });
  REQUIRE(*a.try_acquire_or_renew());
  CHECK(changes == std::vector<bool>{true});

  // Between a's read and its write another client writes the Lease: a's update carries a stale
  // resourceVersion, the server answers 409, and a stops leading without an error.
  server.fault(R"({"write_before_next_update": true})");
  auto renewed = a.try_acquire_or_renew();
  REQUIRE(renewed.ok());
  CHECK_FALSE(*renewed);
  CHECK_FALSE(a.leading());
  CHECK(changes == std::vector<bool>{true, false});
  CHECK(server.requests().find("PUT " + std::string(kLeasePath) + " 409") != std::string::npos);
}

TEST_CASE("two electors running together: exactly one leads, and a stopped leader hands over at once",
          "[kube][leader]") {
  TestApiServer server;
  // A long lease: the hand-over below comes from the release, not from expiry.
  LeaderElector a(server.config(), options_for("replica-a", std::chrono::seconds(30)));
  LeaderElector b(server.config(), options_for("replica-b", std::chrono::seconds(30)));
  a.start();
  b.start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!a.leading() && !b.leading() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a few more rounds of both
  REQUIRE(a.leading() != b.leading());
  LeaderElector& leader = a.leading() ? a : b;
  LeaderElector& follower = a.leading() ? b : a;
  CHECK(stored_lease(server).holder == leader.identity());

  leader.stop();  // releases the Lease
  CHECK_FALSE(leader.leading());
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!follower.leading() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(follower.leading());
  CHECK(stored_lease(server).holder == follower.identity());
  follower.stop();
  CHECK(stored_lease(server).holder.empty());
}

TEST_CASE("an API server that cannot be reached is an error, and a leader that cannot renew steps down",
          "[kube][leader]") {
  TestApiServer server;
  auto options = options_for("replica-a");
  options.request_timeout = std::chrono::milliseconds(300);
  LeaderElector a(server.config(), options);
  REQUIRE(*a.try_acquire_or_renew());
  server.fault(R"({"hang": 2})");
  auto failed = a.try_acquire_or_renew();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().kind == Error::Kind::Unavailable);
  CHECK(a.leading());
  CHECK_THAT(failed.error().message, Catch::Contains("Lease signet-system/signet"));
  // Within renew_deadline (2/3 s) of the last renewal it still leads; past it, it does not.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK_FALSE(a.try_acquire_or_renew().ok());
  CHECK_FALSE(a.leading());
  server.fault(R"({"hang": 0})");
}

TEST_CASE("a Lease the service account may not write names the RBAC rule to add", "[kube][leader]") {
  TestApiServer server({"--forbid", "leases.coordination.k8s.io"});
  LeaderElector a(server.config(), options_for("replica-a"));
  auto denied = a.try_acquire_or_renew();
  REQUIRE_FALSE(denied.ok());
  CHECK_THAT(denied.error().message,
             Catch::Contains("403") && Catch::Contains("\"leases\"") && Catch::Contains("coordination.k8s.io"));
  CHECK_FALSE(a.leading());
}

}  // namespace
}  // namespace signet::server::kube
