#include "server/kube/report_update.hpp"

#include "server/kube/api_client.hpp"
#include "server/kube/policy_report.hpp"

namespace signet::server::kube {
namespace {

std::string verb_of(const std::string& method) {
  return method == "POST" ? "create" : method == "DELETE" ? "delete" : "update";
}

}  // namespace

Result<std::optional<ApiResponse>> update_report(const ApiSend& send, const ClusterConfig& config,
                                                 const std::string& ns, std::optional<std::string> read,
                                                 const ReportChange& change) {
  const ResourceType& type = report_type(ns);
  const std::string name = report_name(ns);
  const std::string what = type.kind + " " + (ns.empty() ? name : ns + "/" + name);
  for (int attempt = 1;; ++attempt) {
    bool exists = true;
    if (!read) {
      auto got = send({"GET", type.object_path(ns, name), ""});
      if (!got) return got.error().context("get " + what);
      if (got->status != 200 && got->status != 404) return api_error("get", type, what, *got, config);
      exists = got->status == 200;
      read = exists ? std::move(got->body) : "";
    }
    auto write = change(*read, exists);
    if (!write) return write.error();
    if (!*write) return std::optional<ApiResponse>();
    auto answer = send(**write);
    if (!answer) return answer.error().context(verb_of((*write)->method) + " " + what);
    // 409: written (or created) by someone else since it was read; read it again.
    if (answer->status != 409 || attempt == kReportAttempts) return std::optional<ApiResponse>(std::move(*answer));
    read.reset();
  }
}

}  // namespace signet::server::kube
