#include <filesystem>
#include <fstream>
#include <thread>

#include <rapidjson/document.h>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "server/kube/report_flags.hpp"
#include "server/kube/report_writer.hpp"
#include "server/run_sync.hpp"
#include "server/webhook.hpp"
#include "test/unit/server/kube/test_api_server.hpp"

namespace signet::server::kube {
namespace {

using test::TestApiServer;
using Ms = std::chrono::milliseconds;

rapidjson::Document json_of(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

// The object the server stores at `path`; not an object when there is none.
rapidjson::Document stored(const TestApiServer& server, const std::string& path) {
  return json_of(test::run_ok("curl -sSk " + test::shell_quote(server.url() + "/_test/object?path=" + path)));
}

// The write requests the server answered: {"method", "path", "status", "body"}.
rapidjson::Document writes(const TestApiServer& server) {
  return json_of(test::run_ok("curl -sSk " + test::shell_quote(server.url() + "/_test/writes")));
}

std::vector<std::string> write_lines(const TestApiServer& server) {
  std::vector<std::string> out;
  auto doc = writes(server);
  for (const auto& w : doc.GetArray())
    out.push_back(std::string(w["method"].GetString()) + " " + w["path"].GetString() + " " +
                  std::to_string(w["status"].GetInt()));
  return out;
}

AdmissionOutcome outcome(const std::string& ns, const std::string& name, const std::string& result, bool allowed = true,
                         std::int64_t timestamp = 1700000000, const std::string& rule = "verify") {
  ResourceRef ref{"v1", "Pod", ns, name, ""};
  return {ref,
          allowed,
          {{ref, "check-signatures", rule, result,
            result == "pass" ? "" : "registry.example/app:1: no signature matches", !allowed, timestamp}}};
}

ReportWriterOptions quick() {
  ReportWriterOptions options;
  options.batch_interval = Ms(50);
  options.request_timeout = Ms(3000);
  options.reporting_instance = "replica-a";
  return options;
}

constexpr const char* kTeamReport = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/team/policyreports/signet-team";

TEST_CASE("an Audit failure becomes a PolicyReport result and a Warning Event; an Enforce denial only an Event",
          "[kube][reports]") {
  TestApiServer server;
  std::map<std::string, std::size_t> written;
  ReportCounters counters{{}, [&](const std::string& kind, std::size_t n) { written[kind] += n; }};
  ReportWriter writer(server.config(), quick(), nullptr, counters);
  writer.submit(outcome("team", "web", "fail"));
  writer.submit(outcome("team", "blocked", "fail", false));
  writer.submit(outcome("", "ns-object", "error"));  // cluster-scoped
  writer.flush();

  auto report = stored(server, kTeamReport);
  REQUIRE(report.IsObject());
  REQUIRE(report.HasMember("results"));
  const auto& results = report["results"];
  REQUIRE(results.Size() == 1);  // the denied pod does not exist: not in the report
  CHECK(std::string(results[0]["resources"][0]["name"].GetString()) == "web");
  CHECK(std::string(results[0]["result"].GetString()) == "fail");
  CHECK(std::string(results[0]["policy"].GetString()) == "check-signatures");
  CHECK(report["summary"]["fail"].GetInt() == 1);
  auto cluster = stored(server, "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/signet");
  REQUIRE(cluster.HasMember("results"));
  CHECK(std::string(cluster["results"][0]["result"].GetString()) == "error");

  // Events: one per failure, on the object, Warning PolicyViolation; the denial says so.
  auto all = writes(server);
  std::vector<std::string> messages;
  for (const auto& w : all.GetArray()) {
    if (std::string(w["method"].GetString()) != "POST" ||
        std::string(w["path"].GetString()).find("/events") == std::string::npos)
      continue;
    CHECK(w["status"].GetInt() == 201);
    const auto& event = w["body"];
    CHECK(std::string(event["type"].GetString()) == "Warning");
    CHECK(std::string(event["reason"].GetString()) == "PolicyViolation");
    CHECK(std::string(event["reportingInstance"].GetString()) == "replica-a");
    CHECK(std::string(event["involvedObject"]["kind"].GetString()) == "Pod");
    messages.push_back(std::string(event["involvedObject"]["name"].GetString()) + ": " + event["message"].GetString());
  }
  std::sort(messages.begin(), messages.end());
  REQUIRE(messages.size() == 3);
  CHECK_THAT(messages[0], Catch::StartsWith("blocked: policy check-signatures/verify fail (admission denied)"));
  CHECK_THAT(messages[1], Catch::StartsWith("ns-object: policy check-signatures/verify error"));
  CHECK_THAT(messages[2], Catch::StartsWith("web: policy check-signatures/verify fail: registry.example/app:1"));
  CHECK(server.requests().find("POST /api/v1/namespaces/default/events 201") != std::string::npos);  // cluster-scoped
  CHECK(written["PolicyReport"] == 1);
  CHECK(written["ClusterPolicyReport"] == 1);
  CHECK(written["Event"] == 3);
}

TEST_CASE("a batch is one write per report, merged with what it holds, capped at the newest results",
          "[kube][reports]") {
  TestApiServer server;
  auto options = quick();
  options.results_per_report = 10;
  options.events = false;
  ReportWriter writer(server.config(), options);
  for (int i = 0; i < 30; ++i) writer.submit(outcome("team", "pod-" + std::to_string(i), "fail", true, 1000 + i));
  writer.flush();
  auto lines = write_lines(server);
  CHECK(lines == std::vector<std::string>{"POST /apis/wgpolicyk8s.io/v1alpha2/namespaces/team/policyreports 201"});
  auto report = stored(server, kTeamReport);
  REQUIRE(report["results"].Size() == 10);
  CHECK(std::string(report["results"][0]["resources"][0]["name"].GetString()) == "pod-29");
  CHECK(std::string(report["results"][9]["resources"][0]["name"].GetString()) == "pod-20");

  // The next batch: pod-29 now passes; the report is read and replaced with its resourceVersion.
  writer.submit(outcome("team", "pod-29", "pass", true, 2000));
  writer.flush();
  lines = write_lines(server);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == std::string("PUT ") + kTeamReport + " 200");
  report = stored(server, kTeamReport);
  CHECK(report["results"].Size() == 10);
  CHECK(std::string(report["results"][0]["result"].GetString()) == "pass");
  CHECK(report["summary"]["pass"].GetInt() == 1);
  CHECK(report["summary"]["fail"].GetInt() == 9);
}

TEST_CASE("two replicas writing the same report lose none of each other's results", "[kube][reports]") {
  TestApiServer server;
  auto options = quick();
  options.events = false;
  ReportWriter a(server.config(), options);
  ReportWriter b(server.config(), options);
  for (int round = 0; round < 5; ++round) {
    a.submit(outcome("team", "a-" + std::to_string(round), "fail"));
    b.submit(outcome("team", "b-" + std::to_string(round), "fail"));
    std::thread other([&] { b.flush(); });
    a.flush();
    other.join();
  }
  auto report = stored(server, kTeamReport);
  CHECK(report["results"].Size() == 10);
  CHECK(report["summary"]["fail"].GetInt() == 10);
  // A stale write is a 409 and is read again, never forced.
  server.fault(R"({"write_before_next_update": true})");
  a.submit(outcome("team", "late", "fail"));
  a.flush();
  CHECK(stored(server, kTeamReport)["results"].Size() == 11);
  CHECK(server.requests().find(std::string("PUT ") + kTeamReport + " 409") != std::string::npos);
}

TEST_CASE("the queue is bounded: when full the oldest outcome goes, and drops are counted", "[kube][reports]") {
  TestApiServer server;
  auto options = quick();
  options.queue_capacity = 5;
  options.events = false;
  std::size_t dropped = 0;
  ReportWriter writer(server.config(), options, nullptr, ReportCounters{[&] { ++dropped; }, {}});
  for (int i = 0; i < 8; ++i) writer.submit(outcome("team", "pod-" + std::to_string(i), "fail"));
  CHECK(writer.queued() == 5);
  CHECK(writer.dropped() == 3);
  CHECK(dropped == 3);
  writer.flush();
  auto report = stored(server, kTeamReport);
  std::vector<std::string> names;
  for (const auto& r : report["results"].GetArray()) names.push_back(r["resources"][0]["name"].GetString());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"pod-3", "pod-4", "pod-5", "pod-6", "pod-7"});
}

TEST_CASE("with an elector, reports wait for leadership; Events are written by every replica", "[kube][reports]") {
  TestApiServer server;
  LeaderElectionOptions election;
  election.namespace_name = "signet-system";
  election.identity = "other";
  LeaderElector other(server.config(), election);
  REQUIRE(*other.try_acquire_or_renew());  // another replica leads
  election.identity = "me";
  LeaderElector me(server.config(), election);
  REQUIRE_FALSE(*me.try_acquire_or_renew());

  ReportWriter writer(server.config(), quick(), &me);
  writer.submit(outcome("team", "web", "fail"));
  writer.flush();
  CHECK_FALSE(stored(server, kTeamReport).HasMember("results"));
  CHECK(server.requests().find("POST /api/v1/namespaces/team/events 201") != std::string::npos);

  // Once this replica leads, the results it kept are written.
  REQUIRE(other.release().ok());
  REQUIRE(*me.try_acquire_or_renew());
  writer.flush();
  CHECK(stored(server, kTeamReport)["results"].Size() == 1);
}

TEST_CASE("an API server that refuses writes costs the reports, with a message naming the RBAC rule",
          "[kube][reports]") {
  TestApiServer server({"--forbid", "policyreports.wgpolicyk8s.io"});
  std::vector<std::string> notes;
  ReportWriter writer(server.config(), quick(), nullptr, {}, [&](bool problem, const std::string& message) {
    if (problem) notes.push_back(message);
  });
  writer.submit(outcome("team", "web", "fail"));
  writer.flush();
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::Contains("403") && Catch::Contains("policyreports") &&
                           Catch::Contains("wgpolicyk8s.io") && Catch::Contains("kept for the next batch"));
}

TEST_CASE("the reporting flags: what each needs, and nothing without them", "[kube][reports]") {
  Metrics metrics;
  auto reporting = [&](std::vector<std::string> args) {
    auto line = CommandLine::parse(args, kube_report_flag_specs());
    REQUIRE(line.ok());
    return reporting_from(*line, metrics, {});
  };
  auto none = reporting({});
  REQUIRE(none.ok());
  CHECK_FALSE(none->writer);
  CHECK_FALSE(none->elector);
  auto lonely = reporting({"--leader-election-namespace", "signet-system"});
  REQUIRE_FALSE(lonely.ok());
  CHECK_THAT(lonely.error().message, Catch::Contains("needs --kube-reports"));
  auto no_namespace = reporting({"--kube-reports", "--leader-election-id", "x"});
  REQUIRE_FALSE(no_namespace.ok());
  CHECK_THAT(no_namespace.error().message, Catch::Contains("--leader-election-namespace"));

  TestApiServer server;
  test::TempDir dir;
  const std::string kubeconfig = std::string(dir.path()) + "/kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n"
                               "    server: "
                            << server.url() << "\n    certificate-authority: " << server.dir()
                            << "/ca.crt\nusers:\n- name: u\n  user:\n    token: " << test::kTestToken
                            << "\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\n";
  std::vector<std::string> args = {
      "--kube-reports", "--kube-events", "--kubeconfig", kubeconfig, "--leader-election-namespace", "signet-system"};
  auto line = CommandLine::parse(args, [] {
    auto specs = kube_report_flag_specs();
    specs.push_back({"kubeconfig"});
    specs.push_back({"kube-context"});
    return specs;
  }());
  REQUIRE(line.ok());
  auto full = reporting_from(*line, metrics, {});
  REQUIRE(full.ok());
  REQUIRE(full->elector);
  REQUIRE(full->writer);
  REQUIRE(*full->elector->try_acquire_or_renew());
  CHECK(metrics.leader.value({}) == 1);
  CHECK_THAT(metrics.render(), Catch::Contains("signet_reports_queue_dropped_total 0"));
}

// --- admissions never wait ---------------------------------------------------------------------------------

// A registry that is down: every fetch fails at once, so a review's time is signet's own.
class DownRegistry final : public oci::Registry {
 public:
  boost::asio::awaitable<Result<std::string>> resolve_digest(const oci::Reference& image, oci::Pull) override {
    co_return Error::unavailable("registry " + image.registry + " is unreachable: connection refused");
  }
  boost::asio::awaitable<Result<std::vector<oci::CosignSignature>>> cosign_signatures(const oci::Reference& image,
                                                                                      const std::optional<std::string>&,
                                                                                      oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
  boost::asio::awaitable<Result<std::vector<oci::CosignLayer>>> cosign_attestations(const oci::Reference& image,
                                                                                    const std::optional<std::string>&,
                                                                                    oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
  boost::asio::awaitable<Result<std::vector<oci::CosignLayer>>> artifact_layers(const oci::Reference& image,
                                                                                oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
  boost::asio::awaitable<Result<std::vector<oci::Referrer>>> referrers(const oci::Reference& image, const std::string&,
                                                                       oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
};

const char* const kAuditPolicy = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-signatures
spec:
  validationFailureAction: Audit
  rules:
    - name: verify
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["registry.example/*"]
          mutateDigest: false
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
                      -----BEGIN PUBLIC KEY-----
                      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOhQjyeDSS+Gp5VJFB6Ak6OOcWQX5
                      mqO2eyV33xNp4LaqKQ4/w1WhuoL4NZXkYIMdiHwZaRvabRlYBDYFZ/15iQ==
                      -----END PUBLIC KEY-----
                    rekor:
                      ignoreTlog: true
)";

std::string pod_review(int i) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-)" + std::to_string(i) +
         R"(","operation":"CREATE","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"team","object":{"metadata":{"name":"pod-)" +
         std::to_string(i) + R"("},"spec":{"containers":[{"name":"c","image":"registry.example/app:1"}]}}}})";
}

TEST_CASE("a hanging API server never slows an admission: reviews are answered in milliseconds", "[kube][reports]") {
  TestApiServer server;
  server.fault(R"({"hang": 3})");  // every API request waits 3 s

  test::TempDir dir;
  std::ofstream(std::filesystem::path(dir.path()) / "policy.yaml") << kAuditPolicy;
  policy::PolicyStore policies(dir.path());
  auto loaded = policies.reload(true);
  REQUIRE(loaded);
  for (const auto& error : loaded->errors) FAIL(error.to_string());
  REQUIRE(loaded->accepted.size() == 1);
  DownRegistry registry;
  Metrics metrics;
  auto options = quick();
  options.queue_capacity = 50;
  options.request_timeout = Ms(500);
  std::size_t dropped = 0;
  {
    ReportWriter writer(server.config(), options, nullptr, ReportCounters{[&] { ++dropped; }, {}});
    writer.start();
    WebhookOptions webhook_options{std::chrono::seconds(8),
                                   nullptr,
                                   {},
                                   [&](const policy::AdmissionRequest& request, const policy::Decision& decision) {
                                     writer.submit(request, decision);
                                   }};
    Webhook webhook(policies, registry, metrics, webhook_options);
    boost::asio::io_context io;
    auto slowest = Ms(0);
    for (int i = 0; i < 200; ++i) {
      const auto started = std::chrono::steady_clock::now();
      const std::string body = pod_review(i);  // outlives the coroutine, which keeps a view of it
      auto answer = run_sync<HttpAnswer>(io, [&] { return webhook.review(body, policy::Mode::Validate); });
      slowest = std::max(slowest, std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - started));
      REQUIRE(answer.status == 200);
      REQUIRE(answer.allowed == std::optional<bool>(true));  // Audit: allowed with a warning
      // After the first, the writer takes its batch and waits on the hanging API server.
      if (i == 0) std::this_thread::sleep_for(Ms(200));
    }
    INFO("slowest review: " << slowest.count() << " ms");
    CHECK(slowest < Ms(100));
    // The writer is stuck on the API server meanwhile: the queue overflowed and dropped the oldest.
    CHECK(dropped > 0);
    CHECK(writer.dropped() == dropped);
    const auto stopping = std::chrono::steady_clock::now();
    writer.stop();  // bounded by the request timeout, not by the queue's length
    CHECK(std::chrono::steady_clock::now() - stopping < std::chrono::seconds(3));
  }
  server.fault(R"({"hang": 0})");
}

}  // namespace
}  // namespace signet::server::kube
