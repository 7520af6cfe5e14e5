#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <catch2/catch.hpp>

#include "server/kube/admission_report.hpp"
#include "server/kube/policy_report.hpp"

namespace signet::server::kube {
namespace {

policy::RuleResult rule_result(const std::string& policy, const std::string& rule, policy::RuleStatus status,
                               const std::string& image, const std::string& message = "", bool enforce = false) {
  policy::RuleResult r;
  r.policy = policy;
  r.rule = rule;
  r.image = image;
  r.status = status;
  r.enforce = enforce;
  r.message = message;
  return r;
}

policy::AdmissionRequest pod(const std::string& ns, const std::string& name) {
  policy::AdmissionRequest request;
  request.operation = "CREATE";
  request.version = "v1";
  request.kind = "Pod";
  request.namespace_name = ns;
  request.name = name;
  return request;
}

ReportResult result_for(const std::string& name, const std::string& rule, const std::string& result,
                        std::int64_t timestamp) {
  return {{"v1", "Pod", "team", name, ""},
          "check-signatures",
          rule,
          result,
          result == "pass" ? "" : "x: bad",
          false,
          timestamp};
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE(doc.IsObject());
  return doc;
}

TEST_CASE("an admission's outcome has one result per policy and rule, the worst over its images", "[kube][report]") {
  policy::Decision decision;
  decision.results = {
      rule_result("check-signatures", "verify", policy::RuleStatus::Pass, "a:1"),
      rule_result("check-signatures", "verify", policy::RuleStatus::Fail, "b:1", "no signature matches the key"),
      rule_result("check-signatures", "verify", policy::RuleStatus::Pass, "c:1"),
      rule_result("check-signatures", "attest", policy::RuleStatus::Pass, "a:1"),
      rule_result("other", "verify", policy::RuleStatus::Skip, "a:1", "image not matched"),
  };
  auto outcome = admission_outcome(pod("team", "web"), decision, 1700000000);
  CHECK(outcome.resource == ResourceRef{"v1", "Pod", "team", "web", ""});
  REQUIRE(outcome.results.size() == 2);  // the skipped rule is not reported
  CHECK(outcome.results[0].rule == "verify");
  CHECK(outcome.results[0].result == "fail");
  CHECK(outcome.results[0].message == "b:1: no signature matches the key");
  CHECK(outcome.results[0].timestamp == 1700000000);
  CHECK(outcome.results[1].rule == "attest");
  CHECK(outcome.results[1].result == "pass");

  auto request = pod("", "");
  request.group = "apps";
  request.kind = "Deployment";
  CHECK(admission_outcome(request, decision, 1).resource.api_version == "apps/v1");
}

TEST_CASE("a new report holds the results with Kyverno's fields and the summary", "[kube][report]") {
  auto json = merge_report("", "team",
                           {result_for("web", "verify", "fail", 100), result_for("api", "verify", "pass", 101)}, 10);
  REQUIRE(json.ok());
  auto doc = parse(*json);
  CHECK(std::string(doc["apiVersion"].GetString()) == "wgpolicyk8s.io/v1alpha2");
  CHECK(std::string(doc["kind"].GetString()) == "PolicyReport");
  CHECK(std::string(doc["metadata"]["name"].GetString()) == "signet-team");
  CHECK(std::string(doc["metadata"]["namespace"].GetString()) == "team");
  CHECK(std::string(doc["metadata"]["labels"]["app.kubernetes.io/managed-by"].GetString()) == "signet");
  CHECK(doc["summary"]["pass"].GetInt() == 1);
  CHECK(doc["summary"]["fail"].GetInt() == 1);
  CHECK(doc["summary"]["error"].GetInt() == 0);
  const auto& results = doc["results"];
  REQUIRE(results.Size() == 2);
  const auto& newest = results[0];  // newest first
  CHECK(std::string(newest["result"].GetString()) == "pass");
  CHECK(std::string(newest["source"].GetString()) == "signet");
  CHECK(newest["timestamp"]["seconds"].GetInt64() == 101);
  CHECK(std::string(newest["resources"][0]["name"].GetString()) == "api");
  CHECK(std::string(newest["resources"][0]["namespace"].GetString()) == "team");
  CHECK(std::string(results[1]["message"].GetString()) == "x: bad");
  CHECK(std::string(results[1]["policy"].GetString()) == "check-signatures");

  auto cluster = merge_report("", "", {result_for("web", "verify", "fail", 100)}, 10);
  REQUIRE(cluster.ok());
  auto cdoc = parse(*cluster);
  CHECK(std::string(cdoc["kind"].GetString()) == "ClusterPolicyReport");
  CHECK(std::string(cdoc["metadata"]["name"].GetString()) == "signet");
  CHECK_FALSE(cdoc["metadata"].HasMember("namespace"));
}

TEST_CASE("merging keeps the latest result per resource, policy and rule, the newest up to the cap", "[kube][report]") {
  auto first = merge_report("", "team",
                            {result_for("web", "verify", "fail", 100), result_for("web", "attest", "fail", 100),
                             result_for("api", "verify", "error", 100)},
                            3);
  REQUIRE(first.ok());
  // As the API server would answer it: with a resourceVersion, which the merged report keeps.
  std::string stored = *first;
  stored.insert(stored.find("\"name\":\"signet-team\""), R"("resourceVersion":"812",)");

  // web is fixed (verify passes now); an older result that arrives late does not win; db is new.
  auto merged = merge_report(stored, "team",
                             {result_for("web", "verify", "pass", 200), result_for("api", "verify", "pass", 50),
                              result_for("db", "verify", "pass", 201)},
                             3);
  REQUIRE(merged.ok());
  auto doc = parse(*merged);
  CHECK(std::string(doc["metadata"]["resourceVersion"].GetString()) == "812");
  const auto& results = doc["results"];
  REQUIRE(results.Size() == 3);  // the cap: the oldest (web/attest or api/verify at 100) went
  CHECK(std::string(results[0]["resources"][0]["name"].GetString()) == "db");
  CHECK(std::string(results[1]["resources"][0]["name"].GetString()) == "web");
  CHECK(std::string(results[1]["result"].GetString()) == "pass");
  CHECK(results[2]["timestamp"]["seconds"].GetInt64() == 100);
  CHECK(doc["summary"]["pass"].GetInt() == 2);
  CHECK(doc["summary"]["fail"].GetInt() + doc["summary"]["error"].GetInt() == 1);
  // api's late, older pass did not replace its error.
  for (const auto& r : results.GetArray())
    if (std::string(r["resources"][0]["name"].GetString()) == "api")
      CHECK(std::string(r["result"].GetString()) == "error");

  CHECK_FALSE(merge_report("[1,2]", "team", {}, 3).ok());
}

TEST_CASE("an AdmissionReport carries results to the leader as they were, and is deleted only as it was read",
          "[kube][reports]") {
  std::vector<ReportResult> results = {result_for("web", "verify", "fail", 1000), result_for("api", "verify", "pass", 1001)};
  results[1].enforce = true;
  const std::string created = admission_report_json("signet-system", "Signet-7d9_x", results);
  rapidjson::Document doc;
  doc.Parse(created.c_str());
  CHECK(std::string(doc["metadata"]["generateName"].GetString()) == "signet-signet-7d9-x-");
  CHECK(std::string(doc["kind"].GetString()) == "AdmissionReport");
  // Labelled with the replica, a valid label value (the tail of a long identity, alphanumeric at both ends).
  CHECK(std::string(doc["metadata"]["labels"]["signet.dev/replica"].GetString()) == "Signet-7d9_x");
  CHECK(admission_report_selector("-pod/a_") == "app.kubernetes.io/managed-by=signet,signet.dev/replica=pod-a");
  CHECK(admission_report_selector(std::string(60, 'h') + "_0123456789abcdef") ==
        "app.kubernetes.io/managed-by=signet,signet.dev/replica=" + std::string(46, 'h') + "_0123456789abcdef");

  // As a LIST answers it, with the name, uid and resourceVersion the API server gave it.
  auto& metadata = doc["metadata"];
  metadata.AddMember("name", "signet-a-x1", doc.GetAllocator());
  metadata.AddMember("uid", "u1", doc.GetAllocator());
  metadata.AddMember("resourceVersion", "7", doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  const std::string list =
      R"({"kind":"AdmissionReportList","metadata":{"continue":"next"},"items":[)" + std::string(buffer.GetString()) + "]}";
  auto page = read_admission_reports(list);
  REQUIRE(page.ok());
  CHECK(page->next == "next");
  REQUIRE(page->reports.size() == 1);
  CHECK(page->reports[0].name == "signet-a-x1");
  REQUIRE(page->reports[0].results.size() == 2);
  CHECK(page->reports[0].results[0].resource == results[0].resource);
  CHECK(page->reports[0].results[0].message == "x: bad");
  CHECK(page->reports[0].results[1].enforce);
  CHECK(page->reports[0].results[1].timestamp == 1001);
  CHECK(delete_preconditions(page->reports[0]) ==
        R"({"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"uid":"u1","resourceVersion":"7"}})");
  CHECK_FALSE(read_admission_reports("[]").ok());
}

TEST_CASE("a merge leaves out the results a filter drops, and counts the summary again", "[kube][reports]") {
  auto report = merge_report("", "team", {result_for("web", "verify", "fail", 1), result_for("gone", "verify", "fail", 2)},
                             10);
  REQUIRE(report.ok());
  auto pruned = merge_report(*report, "team", {}, 10, [](const ReportResult& r) { return r.resource.name == "gone"; });
  REQUIRE(pruned.ok());
  auto left = report_results(*pruned);
  REQUIRE(left.ok());
  REQUIRE(left->size() == 1);
  CHECK((*left)[0].resource.name == "web");
  rapidjson::Document doc;
  doc.Parse(pruned->c_str());
  CHECK(doc["summary"]["fail"].GetInt() == 1);
}

}  // namespace
}  // namespace signet::server::kube
