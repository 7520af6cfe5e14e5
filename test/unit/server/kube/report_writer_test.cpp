#include <filesystem>
#include <fstream>
#include <thread>

#include <rapidjson/document.h>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "server/cli/report_flags.hpp"
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
  REQUIRE(results.Size() == 1);  // the denied pod_json does not exist: not in the report
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

  // The next batch: pod_json-29 now passes; the report is read and replaced with its resourceVersion.
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

// What the API answers a GET of `path` with, as signet's service account.
rapidjson::Document api_get(const TestApiServer& server, const std::string& path) {
  return json_of(test::run_ok("curl -sSk -H " +
                              test::shell_quote(std::string("Authorization: Bearer ") + test::kTestToken) + " " +
                              test::shell_quote(server.url() + path)));
}

constexpr const char* kHandedOver = "/apis/signet.dev/v1alpha1/namespaces/signet-system/admissionreports";

std::vector<std::string> result_names(const rapidjson::Value& report) {
  std::vector<std::string> names;
  if (report.IsObject() && report.HasMember("results"))
    for (const auto& r : report["results"].GetArray()) names.push_back(r["resources"][0]["name"].GetString());
  std::sort(names.begin(), names.end());
  return names;
}

struct Replica {
  Replica(const TestApiServer& server, const std::string& identity, ReportWriterOptions options = quick(),
          WriterNote on_note = {})
      : elector(server.config(),
                [&] {
                  LeaderElectionOptions election;
                  election.namespace_name = "signet-system";
                  election.identity = identity;
                  return election;
                }()),
        writer(
            server.config(),
            [&] {
              options.events = false;
              options.reporting_instance = identity;
              options.handover_namespace = "signet-system";
              return options;
            }(),
            &elector, {}, std::move(on_note)) {}
  LeaderElector elector;
  ReportWriter writer;
};

TEST_CASE("under leader election every replica's results reach the reports: the others hand them over",
          "[kube][reports]") {
  TestApiServer server;
  Replica a(server, "a"), b(server, "b");
  REQUIRE(*a.elector.try_acquire_or_renew());
  REQUIRE_FALSE(*b.elector.try_acquire_or_renew());

  for (int i = 0; i < 3; ++i) b.writer.submit(outcome("team", "b-" + std::to_string(i), "fail"));
  b.writer.submit(outcome("", "b-cluster", "error"));
  b.writer.flush();
  // b wrote no report: its results wait in an AdmissionReport in signet's namespace.
  CHECK_FALSE(stored(server, kTeamReport).HasMember("results"));
  auto handed = api_get(server, kHandedOver);
  REQUIRE(handed["items"].Size() == 1);
  CHECK(handed["items"][0]["spec"]["results"].Size() == 4);
  CHECK(std::string(handed["items"][0]["metadata"]["labels"]["app.kubernetes.io/managed-by"].GetString()) == "signet");

  a.writer.submit(outcome("team", "a-0", "fail"));
  a.writer.flush();
  CHECK(result_names(stored(server, kTeamReport)) == std::vector<std::string>{"a-0", "b-0", "b-1", "b-2"});
  CHECK(result_names(stored(server, "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/signet")) ==
        std::vector<std::string>{"b-cluster"});
  CHECK(api_get(server, kHandedOver)["items"].Size() == 0);  // merged, then deleted
  CHECK(server.requests().find("DELETE " + std::string(kHandedOver) + "/signet-b-") != std::string::npos);
}

TEST_CASE("a leader that fails mid-way and the next leader lose no result and count none twice", "[kube][reports]") {
  TestApiServer server;
  Replica a(server, "a"), b(server, "b");
  REQUIRE(*a.elector.try_acquire_or_renew());
  REQUIRE_FALSE(*b.elector.try_acquire_or_renew());
  b.writer.submit(outcome("team", "b-0", "fail"));
  b.writer.submit(outcome("other", "b-1", "fail"));
  b.writer.flush();

  // The leader's first write (the report of namespace "other") fails: no report is written (the API server is
  // in trouble), its own results and b's AdmissionReport stay.
  server.fault(R"({"fail_next": "POST"})");
  a.writer.submit(outcome("team", "a-0", "fail"));
  a.writer.flush();
  CHECK_FALSE(stored(server, kTeamReport).HasMember("results"));
  CHECK(api_get(server, kHandedOver)["items"].Size() == 1);

  // The next batch merges everything, but cannot delete the AdmissionReport; then the leader changes.
  server.fault(R"({"fail_next": "DELETE"})");
  a.writer.flush();
  const std::string other_report = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/other/policyreports/signet-other";
  CHECK(result_names(stored(server, kTeamReport)) == std::vector<std::string>{"a-0", "b-0"});
  CHECK(result_names(stored(server, other_report)) == std::vector<std::string>{"b-1"});
  CHECK(api_get(server, kHandedOver)["items"].Size() == 1);
  REQUIRE(a.elector.release().ok());
  REQUIRE(*b.elector.try_acquire_or_renew());
  REQUIRE_FALSE(*a.elector.try_acquire_or_renew());

  // b leads, a hands over: the AdmissionReport left is merged again, changing nothing, and deleted.
  a.writer.submit(outcome("team", "a-1", "fail"));
  a.writer.flush();
  b.writer.submit(outcome("team", "b-2", "fail"));
  b.writer.flush();
  auto report = stored(server, kTeamReport);
  CHECK(result_names(report) == std::vector<std::string>{"a-0", "a-1", "b-0", "b-2"});
  CHECK(report["summary"]["fail"].GetInt() == 4);
  auto other = stored(server, other_report);
  CHECK(result_names(other) == std::vector<std::string>{"b-1"});
  CHECK(other["summary"]["fail"].GetInt() == 1);
  CHECK(api_get(server, kHandedOver)["items"].Size() == 0);
}

// The AdmissionReports in signet's namespace created by `replica` (their label naming it).
std::size_t handed_over_by(const TestApiServer& server, const std::string& replica) {
  std::size_t n = 0;
  for (const auto& item : api_get(server, kHandedOver)["items"].GetArray())
    if (std::string(item["metadata"]["labels"]["signet.dev/replica"].GetString()) == replica) ++n;
  return n;
}

TEST_CASE("unmerged AdmissionReports stop a replica at the cap, keeping its results, said once; merged, it goes on",
          "[kube][reports]") {
  TestApiServer server;
  auto capped = quick();
  capped.admission_reports_outstanding = 3;
  capped.results_per_admission_report = 1;  // one AdmissionReport per result
  capped.admission_report_recount = Ms(0);
  std::vector<std::string> problems;
  Replica a(server, "a"), b(server, "b", capped, [&](bool problem, const std::string&message) {
    if (problem) problems.push_back(message);
  });
  Replica c(server, "c");
  REQUIRE(*a.elector.try_acquire_or_renew());
  REQUIRE_FALSE(*b.elector.try_acquire_or_renew());
  REQUIRE_FALSE(*c.elector.try_acquire_or_renew());
  c.writer.submit(outcome("team", "c-0", "fail"));
  c.writer.flush();  // another replica's: not counted against b's cap

  // The leader merges nothing for now (as when it may not list or delete them): b stops at 3.
  for (int i = 0; i < 5; ++i) b.writer.submit(outcome("team", "b-" + std::to_string(i), "fail"));
  b.writer.flush();
  CHECK(handed_over_by(server, "b") == 3);
  for (int i = 5; i < 7; ++i) b.writer.submit(outcome("team", "b-" + std::to_string(i), "fail"));
  b.writer.flush();
  b.writer.flush();
  CHECK(handed_over_by(server, "b") == 3);
  REQUIRE(problems.size() == 1);  // said once
  CHECK_THAT(problems[0], Catch::Contains("3 AdmissionReports of this replica wait for the leader"));
  CHECK(server.requests().find(std::string("GET ") + kHandedOver +
                               "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dsignet%2Csignet.dev%2Freplica%3Db") !=
        std::string::npos);

  // Once the leader merged them, b's LIST sees them gone: the results kept are handed over, 3 at a time.
  a.writer.flush();
  CHECK(api_get(server, kHandedOver)["items"].Size() == 0);
  b.writer.flush();
  CHECK(handed_over_by(server, "b") == 3);
  a.writer.flush();
  b.writer.flush();
  CHECK(handed_over_by(server, "b") == 1);
  a.writer.flush();
  CHECK(result_names(stored(server, kTeamReport)) ==
        std::vector<std::string>{"b-0", "b-1", "b-2", "b-3", "b-4", "b-5", "b-6", "c-0"});
  CHECK(problems.size() == 1);
}

std::vector<std::string> event_writes(const TestApiServer& server) {
  std::vector<std::string> out;
  for (const auto& line : write_lines(server))
    if (line.find("/events") != std::string::npos) out.push_back(line);
  return out;
}

TEST_CASE("a repeated failure is one Event whose count and lastTimestamp go up, as client-go correlates them",
          "[kube][reports]") {
  TestApiServer server;
  auto options = quick();
  options.reports = false;
  std::map<std::string, std::size_t> written;
  ReportWriter writer(server.config(), options, nullptr,
                      {{}, [&](const std::string& kind, std::size_t n) { written[kind] += n; }});
  for (int i = 0; i < 3; ++i) writer.submit(outcome("team", "web", "fail", true, 1700000000 + i));
  writer.submit(outcome("team", "api", "fail"));  // another object: an Event of its own
  writer.flush();
  for (int i = 3; i < 5; ++i) {
    writer.submit(outcome("team", "web", "fail", true, 1700000000 + i));
    writer.flush();
  }
  auto lines = event_writes(server);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "POST /api/v1/namespaces/team/events 201");
  CHECK(lines[1] == "POST /api/v1/namespaces/team/events 201");
  CHECK_THAT(lines[2], Catch::StartsWith("PATCH /api/v1/namespaces/team/events/web.") && Catch::EndsWith(" 200"));
  CHECK(lines[3] == lines[2]);
  const std::string path = lines[2].substr(6, lines[2].size() - 10);
  auto event = stored(server, path);
  CHECK(event["count"].GetInt() == 5);
  CHECK(std::string(event["firstTimestamp"].GetString()) == "2023-11-14T22:13:20Z");
  CHECK(std::string(event["lastTimestamp"].GetString()) == "2023-11-14T22:13:24Z");
  CHECK(written["Event"] == 4);

  // The Event expired (the API server deletes Events after an hour): the next failure creates a new one.
  server.control("/_test/delete", R"({"apiVersion":"v1","kind":"Event","metadata":{"name":")" +
                                      path.substr(path.rfind('/') + 1) + R"(","namespace":"team"}})");
  writer.submit(outcome("team", "web", "fail", true, 1700000100));
  writer.flush();
  lines = event_writes(server);
  REQUIRE(lines.size() == 6);
  CHECK_THAT(lines[4], Catch::StartsWith("PATCH") && Catch::EndsWith(" 404"));
  CHECK(lines[5] == "POST /api/v1/namespaces/team/events 201");
  // A different failure of the same object is a different Event.
  writer.submit(outcome("team", "web", "error", true, 1700000200));
  writer.flush();
  CHECK(event_writes(server).back() == "POST /api/v1/namespaces/team/events 201");
}

TEST_CASE("the Event cap holds per batch: the rest are left out, said once", "[kube][reports]") {
  TestApiServer server;
  auto options = quick();
  options.reports = false;
  options.events_per_batch = 3;
  std::vector<std::string> notes;
  ReportWriter writer(server.config(), options, nullptr, {}, [&](bool problem, const std::string& message) {
    if (problem) notes.push_back(message);
  });
  for (int i = 0; i < 5; ++i) writer.submit(outcome("team", "pod-" + std::to_string(i), "fail"));
  writer.flush();
  CHECK(event_writes(server).size() == 3);
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::StartsWith("2 Events left out: more than 3 in one batch"));
}

std::string pod_json(const std::string& ns, const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" + ns + "\"}}";
}

TEST_CASE("a sweep removes the results about deleted objects, and the namespace reports left empty",
          "[kube][reports]") {
  TestApiServer server({"--forbid", "deployments.apps"});
  server.put(pod_json("team", "web"));
  server.put(pod_json("team", "api"));
  auto options = quick();
  options.events = false;
  options.sweep_checks = 2;
  std::vector<std::string> problems;
  ReportWriter writer(server.config(), options, nullptr, {}, [&](bool problem, const std::string& message) {
    if (problem) problems.push_back(message);
  });
  for (const char* name : {"web", "api", "gone-1", "gone-2"}) writer.submit(outcome("team", name, "fail"));
  writer.submit(outcome("temp", "gone-3", "fail"));
  AdmissionOutcome deployment = outcome("team", "deploy", "fail");
  deployment.resource = deployment.results[0].resource = {"apps/v1", "Deployment", "team", "deploy", ""};
  writer.submit(deployment);
  writer.flush();
  REQUIRE(result_names(stored(server, kTeamReport)).size() == 5);

  // Two lookups a sweep, in order: (apps/v1 Deployment team/deploy) is forbidden, (v1 Pod team/api) exists.
  writer.sweep();
  CHECK(result_names(stored(server, kTeamReport)).size() == 5);
  // Then team/gone-1 and team/gone-2 are gone; the next sweep goes on to temp/gone-3 and team/web.
  writer.sweep();
  CHECK(result_names(stored(server, kTeamReport)) == std::vector<std::string>{"api", "deploy", "web"});
  const std::string temp_report = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/temp/policyreports/signet-temp";
  CHECK(stored(server, temp_report).HasMember("results"));
  writer.sweep();
  CHECK_FALSE(stored(server, temp_report).HasMember("results"));  // deleted
  CHECK(server.requests().find("DELETE " + temp_report + " 200") != std::string::npos);
  auto report = stored(server, kTeamReport);
  CHECK(report["summary"]["fail"].GetInt() == 3);

  // The forbidden lookup keeps its results and is said once, naming the RBAC rule, however many sweeps.
  writer.sweep();
  writer.sweep();
  CHECK(result_names(stored(server, kTeamReport)) == std::vector<std::string>{"api", "deploy", "web"});
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("403") && Catch::Contains("\"get\"") && Catch::Contains("deployments"));

  // A pod_json deleted later goes at the sweep after.
  server.control("/_test/delete", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team"}})");
  writer.sweep();
  writer.sweep();
  CHECK(result_names(stored(server, kTeamReport)) == std::vector<std::string>{"api", "deploy"});
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
