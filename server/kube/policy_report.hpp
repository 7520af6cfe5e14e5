// Audit results as wgpolicyk8s.io/v1alpha2 reports: a PolicyReport per namespace ("signet-<namespace>") and
// one ClusterPolicyReport ("signet") for cluster-scoped resources, holding the latest result of each
// (resource, policy, rule), newest first up to a cap, with the summary counts. No I/O: the report writer
// merges a batch into the report it read from the API server and writes the result back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crypto/result.hpp"
#include "policy/admission.hpp"
#include "policy/engine.hpp"
#include "server/kube/resource.hpp"

namespace signet::server::kube {

// The admitted object a result is about (a report's `resources[]` entry, an Event's involvedObject).
struct ResourceRef {
  std::string api_version;  // "v1", "apps/v1"
  std::string kind;
  std::string namespace_name;  // "" for cluster-scoped objects
  std::string name;
  std::string uid;  // "" when the review did not carry it (a CREATE has none yet)

  bool operator==(const ResourceRef&) const = default;
};

// One (resource, policy, rule) result: the worst over the rule's images (error, then fail, then pass).
struct ReportResult {
  ResourceRef resource;
  std::string policy;
  std::string rule;
  std::string result;   // "pass", "fail", "error"
  std::string message;  // for fail and error: which image and why
  bool enforce = false;
  std::int64_t timestamp = 0;  // seconds since the epoch
};

// What the webhook hands over for one review: the object, whether it was admitted, its results.
struct AdmissionOutcome {
  ResourceRef resource;
  bool allowed = true;
  std::vector<ReportResult> results;
};

// The outcome of `decision` for `request` at `now` (seconds): one result per (policy, rule); skipped
// rules are left out. Empty results when nothing applied.
AdmissionOutcome admission_outcome(const policy::AdmissionRequest& request, const policy::Decision& decision,
                                   std::int64_t now);

// The label on every report signet writes (PolicyReports, AdmissionReports), and the selector that lists them.
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedBySignet = "app.kubernetes.io/managed-by=signet";

ResourceType policy_reports();          // wgpolicyk8s.io/v1alpha2 PolicyReport
ResourceType cluster_policy_reports();  // wgpolicyk8s.io/v1alpha2 ClusterPolicyReport

// Where the results about objects of namespace `ns` go ("" = the cluster report).
std::string report_name(const std::string& ns);
const ResourceType& report_type(const std::string& ns);

// Which results a merge leaves out (the report sweep: those about objects that are gone).
using ResultFilter = std::function<bool(const ReportResult&)>;

// The report `existing` (its JSON as read, "" when there is none) with `results` merged in: for each
// (resource, policy, rule) the newer result wins; those `drop` names go; the newest `cap` results are
// kept; the summary is counted again. metadata.resourceVersion is kept, so that writing it back is refused
// (409) when someone else wrote meanwhile. An `existing` that is not a JSON object is an Invalid error.
Result<std::string> merge_report(const std::string& existing, const std::string& ns,
                                 const std::vector<ReportResult>& results, std::size_t cap,
                                 const ResultFilter& drop = {});

// The results of a report (or of an AdmissionReport) as merge_report writes them; an `object` that is
// not a JSON object is an Invalid error.
Result<std::vector<ReportResult>> report_results(const std::string& object);

}  // namespace signet::server::kube
