#include "server/kube/report_sweep.hpp"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "oci/url.hpp"
#include "server/kube/api_client.hpp"
#include "server/kube/json_fields.hpp"
#include "server/kube/policy_report.hpp"
#include "server/kube/report_update.hpp"

namespace signet::server::kube {
namespace {

using Json = rapidjson::Value;

std::string resource_version_of(const std::string& object) {
  rapidjson::Document doc;
  if (doc.Parse(object.c_str(), object.size()).HasParseError() || !doc.IsObject()) return "";
  auto metadata = doc.FindMember("metadata");
  return metadata == doc.MemberEnd() ? "" : string_at(metadata->value, "resourceVersion");
}

}  // namespace

ReportSweep::ReportSweep(ApiSend send, ClusterConfig config, SweepOptions options, SweepNote note)
    : send_(std::move(send)), config_(std::move(config)), options_(options), note_(std::move(note)) {}

void ReportSweep::note_once(const std::string& what, const std::string& message) {
  if (noted_.insert(what).second && note_) note_(true, message);
}

Result<SweepCounts> ReportSweep::run(std::int64_t now) {
  // Every report signet wrote: the namespace reports (page by page) and the cluster report.
  std::vector<std::pair<std::string, std::string>> reports;  // (namespace, JSON)
  const ResourceType& namespaced = report_type("x");
  std::string token;
  do {
    std::string target =
        namespaced.collection_path() + "?labelSelector=" + oci::url_encode(kManagedBySignet) + "&limit=100";
    if (!token.empty()) target += "&continue=" + oci::url_encode(token);
    auto listed = send_({"GET", target, ""});
    if (!listed) return listed.error().context("list " + namespaced.name());
    if (listed->status != 200) return api_error("list", namespaced, namespaced.name(), *listed, config_);
    rapidjson::Document doc;
    if (doc.Parse(listed->body.c_str(), listed->body.size()).HasParseError() || !doc.IsObject())
      return Error::invalid("list " + namespaced.name() + ": the answer is not a JSON object");
    token = doc.HasMember("metadata") ? string_at(doc["metadata"], "continue") : "";
    if (auto items = doc.FindMember("items"); items != doc.MemberEnd() && items->value.IsArray())
      for (const auto& item : items->value.GetArray())
        if (item.HasMember("metadata")) reports.emplace_back(string_at(item["metadata"], "namespace"), to_json(item));
  } while (!token.empty());
  const ResourceType& cluster = report_type("");
  auto cluster_report = send_({"GET", cluster.object_path("", report_name("")), ""});
  if (!cluster_report) return cluster_report.error().context("get " + cluster.name());
  if (cluster_report->status == 200) reports.emplace_back("", std::move(cluster_report->body));

  // The objects they name, in order; this sweep looks up those after the cursor, then from the start.
  std::set<ObjectKey> objects;
  for (const auto& [ns, json] : reports) {
    auto results = report_results(json);
    if (!results) continue;
    for (const auto& r : *results)
      objects.emplace(r.resource.api_version, r.resource.kind, r.resource.namespace_name, r.resource.name,
                      r.resource.uid);
  }
  std::vector<ObjectKey> due;
  auto start = cursor_ ? objects.upper_bound(*cursor_) : objects.begin();
  for (auto it = start; it != objects.end() && due.size() < options_.checks; ++it) due.push_back(*it);
  for (auto it = objects.begin(); it != start && due.size() < options_.checks; ++it) due.push_back(*it);

  SweepCounts counts;
  std::map<std::string, std::map<std::string, ResourceType>> discovered;  // apiVersion → kind → resource
  std::map<ObjectKey, std::int64_t> gone;
  for (const auto& key : due) {
    const auto& [api_version, kind, ns, name, uid] = key;
    cursor_ = key;
    if (!discovered.count(api_version)) {
      auto& kinds = discovered[api_version];
      const std::string path = (api_version.find('/') == std::string::npos ? "/api/" : "/apis/") + api_version;
      auto document = send_({"GET", path, ""});
      if (!document) return document.error().context("discover " + api_version);
      const auto slash = api_version.find('/');
      const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
      const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
      auto resources = api_resources(group, version, document->body);
      if (document->status != 200 || !resources) {
        note_once("discovery " + api_version, "report sweep: the API server does not describe " + api_version + " (" +
                                                  std::to_string(document->status) +
                                                  "); results about its objects are kept");
        continue;
      }
      for (auto& type : *resources) kinds.emplace(type.kind, std::move(type));
    }
    auto type = discovered[api_version].find(kind);
    if (type == discovered[api_version].end()) {
      note_once("kind " + api_version + " " + kind, "report sweep: the API server serves no " + kind + " in " +
                                                        api_version + "; results about them are kept");
      continue;
    }
    auto got = send_({"GET", type->second.object_path(ns, name), ""});
    if (!got) return got.error().context("get " + kind + " " + (ns.empty() ? name : ns + "/" + name));
    ++counts.checked;
    if (got->status == 404) {
      gone[key] = now;
      continue;
    }
    if (got->status != 200) {
      note_once("get " + type->second.name() + " " + std::to_string(got->status),
                "report sweep: results are kept: " +
                    api_error("get", type->second, type->second.name(), *got, config_).message);
      continue;
    }
    rapidjson::Document doc;
    if (!uid.empty() && !doc.Parse(got->body.c_str()).HasParseError() && doc.IsObject() && doc.HasMember("metadata")) {
      const std::string current = string_at(doc["metadata"], "uid");
      if (!current.empty() && current != uid) gone[key] = now;  // deleted, and created again under its name
    }
  }
  counts.gone = gone.size();
  if (gone.empty()) return counts;
  for (auto& [ns, json] : reports) {
    auto rewritten = rewrite(ns, std::move(json), gone, counts);
    if (!rewritten) {
      if (rewritten.error().kind == Error::Kind::Unavailable) return rewritten.error();
      if (note_) note_(true, "report sweep: " + rewritten.error().message);
    }
  }
  return counts;
}

// The report of `ns` (as read: `report`) without the results about `gone` objects; read again on a 409.
Result<void> ReportSweep::rewrite(const std::string& ns, std::string report,
                                  const std::map<ObjectKey, std::int64_t>& gone, SweepCounts& counts) {
  const ResourceType& type = report_type(ns);
  const std::string name = report_name(ns);
  const std::string what = type.kind + " " + (ns.empty() ? name : ns + "/" + name);
  const ResultFilter drop = [&gone](const ReportResult& r) {
    auto it = gone.find(
        {r.resource.api_version, r.resource.kind, r.resource.namespace_name, r.resource.name, r.resource.uid});
    return it != gone.end() && r.timestamp <= it->second;
  };
  bool empty = false;  // every result dropped from a namespace report: the report is deleted
  const ReportChange change = [&](const std::string& current, bool exists) -> Result<std::optional<ApiRequest>> {
    if (!exists) return std::optional<ApiRequest>();  // deleted meanwhile
    auto before = report_results(current);
    if (!before) return before.error().context(what);
    const auto dropped = std::count_if(before->begin(), before->end(), drop);
    if (dropped == 0) return std::optional<ApiRequest>();
    empty = static_cast<std::size_t>(dropped) == before->size() && !ns.empty();
    if (empty) {
      const std::string options = R"({"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"resourceVersion":")" +
                                  resource_version_of(current) + "\"}}";
      return std::optional<ApiRequest>(ApiRequest{"DELETE", type.object_path(ns, name), options});
    }
    auto merged = merge_report(current, ns, {}, options_.results_per_report, drop);
    if (!merged) return merged.error();
    return std::optional<ApiRequest>(ApiRequest{"PUT", type.object_path(ns, name), std::move(*merged)});
  };
  auto answer = update_report(send_, config_, ns, std::move(report), change);
  if (!answer) return answer.error();
  if (!*answer) return success();
  const unsigned status = (*answer)->status;
  if (empty && (status == 200 || status == 202 || status == 404)) {
    ++counts.reports_deleted;
    return success();
  }
  if (!empty && status == 200) {
    ++counts.reports_written;
    return success();
  }
  return api_error(empty ? "delete" : "update", type, what, **answer, config_);
}

}  // namespace signet::server::kube
