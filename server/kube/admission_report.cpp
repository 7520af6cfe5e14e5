#include "server/kube/admission_report.hpp"

#include <cctype>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "server/kube/json_fields.hpp"
#include "server/kube/report_json.hpp"

namespace signet::server::kube {
namespace {

using Json = rapidjson::Value;

// `replica` as the start of an object name: lowercase alphanumerics and '-', at most 40 characters.
std::string name_prefix(const std::string& replica) {
  std::string out = "signet-";
  for (char c : replica.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  return out + "-";
}

// `replica` as a label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends. The tail is kept: the
// default identity ends in its random suffix.
std::string replica_label(const std::string& replica) {
  std::string out;
  for (char c : replica.size() > 63 ? replica.substr(replica.size() - 63) : replica) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) || c == '.' || c == '_' || c == '-' ? c : '-';
  }
  const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  while (!out.empty() && !alnum(out.front())) out.erase(out.begin());
  while (!out.empty() && !alnum(out.back())) out.pop_back();
  return out.empty() ? "signet" : out;
}

constexpr const char* kReplicaLabel = "signet.dev/replica";

}  // namespace

std::string admission_report_selector(const std::string& replica) {
  return std::string(kManagedBySignet) + "," + kReplicaLabel + "=" + replica_label(replica);
}

ResourceType admission_reports() { return {"signet.dev", "v1alpha1", "admissionreports", "AdmissionReport", true}; }

std::string admission_report_json(const std::string& ns, const std::string& replica,
                                  const std::vector<ReportResult>& results) {
  rapidjson::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  Json labels(rapidjson::kObjectType);
  labels.AddMember(rapidjson::StringRef(kManagedByLabel), "signet", a);
  labels.AddMember(Json(kReplicaLabel, a), Json(replica_label(replica).c_str(), a), a);
  Json metadata(rapidjson::kObjectType);
  metadata.AddMember("generateName", Json(name_prefix(replica).c_str(), a), a);
  metadata.AddMember("namespace", Json(ns.c_str(), a), a);
  metadata.AddMember("labels", labels, a);
  Json entries(rapidjson::kArrayType);
  for (const auto& r : results) entries.PushBack(write_result(r, a), a);
  Json spec(rapidjson::kObjectType);
  spec.AddMember("replica", Json(replica.c_str(), a), a);
  spec.AddMember("results", entries, a);
  doc.AddMember("apiVersion", Json(admission_reports().api_version().c_str(), a), a);
  doc.AddMember("kind", "AdmissionReport", a);
  doc.AddMember("metadata", metadata, a);
  doc.AddMember("spec", spec, a);
  return to_json(doc);
}

Result<AdmissionReportPage> read_admission_reports(const std::string& list_json) {
  rapidjson::Document doc;
  if (doc.Parse(list_json.c_str(), list_json.size()).HasParseError() || !doc.IsObject())
    return Error::invalid("list " + admission_reports().name() + ": the answer is not a JSON object");
  AdmissionReportPage page;
  if (auto metadata = doc.FindMember("metadata"); metadata != doc.MemberEnd())
    page.next = string_at(metadata->value, "continue");
  auto items = doc.FindMember("items");
  if (items == doc.MemberEnd() || !items->value.IsArray()) return page;
  for (const auto& item : items->value.GetArray()) {
    AdmissionReport report;
    if (auto metadata = item.FindMember("metadata"); metadata != item.MemberEnd()) {
      report.name = string_at(metadata->value, "name");
      report.uid = string_at(metadata->value, "uid");
      report.resource_version = string_at(metadata->value, "resourceVersion");
    }
    if (report.name.empty()) return Error::invalid("an AdmissionReport has no metadata.name");
    auto results = report_results(to_json(item));
    if (!results) return results.error().context("AdmissionReport " + report.name);
    report.results = std::move(*results);
    page.reports.push_back(std::move(report));
  }
  return page;
}

std::string created_name(const std::string& object_json) {
  rapidjson::Document doc;
  if (doc.Parse(object_json.c_str(), object_json.size()).HasParseError()) return "";
  const rapidjson::Value* metadata = member(doc, "metadata");
  return metadata != nullptr ? string_at(*metadata, "name") : "";
}

std::string delete_preconditions(const AdmissionReport& report) {
  rapidjson::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  Json preconditions(rapidjson::kObjectType);
  preconditions.AddMember("uid", Json(report.uid.c_str(), a), a);
  preconditions.AddMember("resourceVersion", Json(report.resource_version.c_str(), a), a);
  doc.AddMember("apiVersion", "v1", a);
  doc.AddMember("kind", "DeleteOptions", a);
  doc.AddMember("preconditions", preconditions, a);
  return to_json(doc);
}

}  // namespace signet::server::kube
