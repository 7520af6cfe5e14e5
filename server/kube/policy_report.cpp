#include "server/kube/policy_report.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "server/kube/json_fields.hpp"
#include "server/kube/report_json.hpp"

namespace signet::server::kube {
namespace {

using Json = rapidjson::Value;


int severity(const std::string& result) {
  if (result == "error") return 2;
  if (result == "fail") return 1;
  return 0;
}

std::string object_uid(const policy::AdmissionRequest& request) {
  const auto* object = request.json.find("object");
  const auto* metadata = object ? object->find("metadata") : nullptr;
  const auto* uid = metadata ? metadata->find("uid") : nullptr;
  return uid && uid->is_string() ? uid->as_string() : "";
}

using Key = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
Key key_of(const ReportResult& r) {
  return {r.resource.api_version, r.resource.kind, r.resource.name, r.resource.namespace_name, r.policy, r.rule};
}

Json text(const std::string& value, Allocator& allocator) { return Json(value.c_str(), allocator); }

}  // namespace

ReportResult read_result(const Json& entry) {
  ReportResult out;
  out.policy = string_at(entry, "policy");
  out.rule = string_at(entry, "rule");
  out.result = string_at(entry, "result");
  out.message = string_at(entry, "message");
  if (auto resources = entry.FindMember("resources");
      resources != entry.MemberEnd() && resources->value.IsArray() && !resources->value.Empty()) {
    const Json& ref = resources->value[0];
    out.resource = {string_at(ref, "apiVersion"), string_at(ref, "kind"), string_at(ref, "namespace"),
                    string_at(ref, "name"), string_at(ref, "uid")};
  }
  if (auto stamp = entry.FindMember("timestamp"); stamp != entry.MemberEnd() && stamp->value.IsObject()) {
    auto seconds = stamp->value.FindMember("seconds");
    if (seconds != stamp->value.MemberEnd() && seconds->value.IsInt64()) out.timestamp = seconds->value.GetInt64();
  }
  if (auto properties = entry.FindMember("properties"); properties != entry.MemberEnd())
    out.enforce = string_at(properties->value, "failureAction") == "Enforce";
  return out;
}

Json write_result(const ReportResult& r, Allocator& a) {
  Json ref(rapidjson::kObjectType);
  ref.AddMember("apiVersion", text(r.resource.api_version, a), a);
  ref.AddMember("kind", text(r.resource.kind, a), a);
  if (!r.resource.namespace_name.empty()) ref.AddMember("namespace", text(r.resource.namespace_name, a), a);
  ref.AddMember("name", text(r.resource.name, a), a);
  if (!r.resource.uid.empty()) ref.AddMember("uid", text(r.resource.uid, a), a);
  Json resources(rapidjson::kArrayType);
  resources.PushBack(ref, a);
  Json stamp(rapidjson::kObjectType);
  stamp.AddMember("seconds", Json(r.timestamp), a);
  stamp.AddMember("nanos", Json(0), a);
  Json properties(rapidjson::kObjectType);
  properties.AddMember("failureAction", rapidjson::StringRef(r.enforce ? "Enforce" : "Audit"), a);
  Json entry(rapidjson::kObjectType);
  entry.AddMember("source", Json("signet"), a);
  entry.AddMember("policy", text(r.policy, a), a);
  entry.AddMember("rule", text(r.rule, a), a);
  entry.AddMember("result", text(r.result, a), a);
  if (!r.message.empty()) entry.AddMember("message", text(r.message, a), a);
  entry.AddMember("scored", Json(true), a);
  entry.AddMember("timestamp", stamp, a);
  entry.AddMember("resources", resources, a);
  entry.AddMember("properties", properties, a);
  return entry;
}

AdmissionOutcome admission_outcome(const policy::AdmissionRequest& request, const policy::Decision& decision,
                                   std::int64_t now) {
  AdmissionOutcome outcome;
  outcome.allowed = decision.allowed;
  outcome.resource = {request.group.empty() ? request.version : request.group + "/" + request.version, request.kind,
                      request.namespace_name, request.name, object_uid(request)};
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (policy, rule) → results[i]
  for (const auto& r : decision.results) {
    if (r.status == policy::RuleStatus::Skip) continue;
    ReportResult entry{outcome.resource, r.policy, r.rule, policy::to_string(r.status), "", r.enforce, now};
    if (r.status != policy::RuleStatus::Pass) entry.message = r.image + ": " + r.message;
    auto [it, added] = index.emplace(std::pair{r.policy, r.rule}, outcome.results.size());
    if (added) {
      outcome.results.push_back(std::move(entry));
    } else if (severity(entry.result) > severity(outcome.results[it->second].result)) {
      outcome.results[it->second] = std::move(entry);
    }
  }
  return outcome;
}

ResourceType policy_reports() { return {"wgpolicyk8s.io", "v1alpha2", "policyreports", "PolicyReport", true}; }
ResourceType cluster_policy_reports() {
  return {"wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports", "ClusterPolicyReport", false};
}

std::string report_name(const std::string& ns) { return ns.empty() ? "signet" : "signet-" + ns; }

const ResourceType& report_type(const std::string& ns) {
  static const ResourceType namespaced = policy_reports();
  static const ResourceType cluster = cluster_policy_reports();
  return ns.empty() ? cluster : namespaced;
}

Result<std::string> merge_report(const std::string& existing, const std::string& ns,
                                 const std::vector<ReportResult>& results, std::size_t cap, const ResultFilter& drop) {
  rapidjson::Document doc;
  std::map<Key, ReportResult> latest;
  if (!existing.empty()) {
    if (doc.Parse(existing.c_str(), existing.size()).HasParseError() || !doc.IsObject())
      return Error::invalid(report_type(ns).kind + " " + report_name(ns) + " is not a JSON object");
    if (auto old = doc.FindMember("results"); old != doc.MemberEnd() && old->value.IsArray()) {
      for (const auto& entry : old->value.GetArray()) {
        ReportResult r = read_result(entry);
        if (!r.policy.empty()) latest[key_of(r)] = std::move(r);
      }
    }
  } else {
    doc.SetObject();
  }
  for (const auto& r : results) {
    auto [it, added] = latest.emplace(key_of(r), r);
    if (!added && r.timestamp >= it->second.timestamp) it->second = r;
  }
  std::vector<const ReportResult*> kept;
  for (const auto& [key, r] : latest)
    if (!drop || !drop(r)) kept.push_back(&r);
  std::stable_sort(kept.begin(), kept.end(),
                   [](const ReportResult* a, const ReportResult* b) { return a->timestamp > b->timestamp; });
  if (kept.size() > cap) kept.resize(cap);

  auto& a = doc.GetAllocator();
  const ResourceType& type = report_type(ns);
  Json metadata(rapidjson::kObjectType);
  if (auto old = doc.FindMember("metadata"); old != doc.MemberEnd() && old->value.IsObject())
    metadata.CopyFrom(old->value, a);
  metadata.RemoveMember("managedFields");
  if (!metadata.HasMember("name")) metadata.AddMember("name", text(report_name(ns), a), a);
  if (!ns.empty() && !metadata.HasMember("namespace")) metadata.AddMember("namespace", text(ns, a), a);
  if (!metadata.HasMember("labels") || !metadata["labels"].IsObject()) {
    metadata.RemoveMember("labels");
    metadata.AddMember("labels", Json(rapidjson::kObjectType), a);
  }
  metadata["labels"].RemoveMember(kManagedByLabel);
  metadata["labels"].AddMember(rapidjson::StringRef(kManagedByLabel), Json("signet"), a);

  std::map<std::string, int> counts{{"pass", 0}, {"fail", 0}, {"warn", 0}, {"error", 0}, {"skip", 0}};
  Json out_results(rapidjson::kArrayType);
  for (const ReportResult* r : kept) {
    ++counts[r->result];
    out_results.PushBack(write_result(*r, a), a);
  }
  Json summary(rapidjson::kObjectType);
  for (const char* name : {"pass", "fail", "warn", "error", "skip"})
    summary.AddMember(rapidjson::StringRef(name), Json(counts[name]), a);

  rapidjson::Document out;
  out.SetObject();
  auto& o = out.GetAllocator();
  out.AddMember("apiVersion", text(type.api_version(), o), o);
  out.AddMember("kind", text(type.kind, o), o);
  out.AddMember("metadata", Json(metadata, o), o);
  out.AddMember("summary", Json(summary, o), o);
  out.AddMember("results", Json(out_results, o), o);
  return to_json(out);
}

Result<std::vector<ReportResult>> report_results(const std::string& object) {
  rapidjson::Document doc;
  if (doc.Parse(object.c_str(), object.size()).HasParseError() || !doc.IsObject())
    return Error::invalid("a report is not a JSON object");
  std::vector<ReportResult> out;
  const Json* results = &doc;
  if (auto spec = doc.FindMember("spec"); spec != doc.MemberEnd() && spec->value.IsObject()) results = &spec->value;
  if (auto found = results->FindMember("results"); found != results->MemberEnd() && found->value.IsArray()) {
    for (const auto& entry : found->value.GetArray()) {
      ReportResult r = read_result(entry);
      if (!r.policy.empty()) out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace signet::server::kube
