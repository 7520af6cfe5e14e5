// One change to one of signet's PolicyReports, read and written with its resourceVersion, and read again
// and retried when someone else wrote it in between (409 Conflict): what the report writer and the report
// sweep both do to a report.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "crypto/result.hpp"
#include "server/kube/api_transport.hpp"

namespace signet::server::kube {

using ApiSend = std::function<Result<ApiResponse>(const ApiRequest&)>;

// How many times one report is read and written when others keep writing it.
constexpr int kReportAttempts = 3;

// The write that makes the change to `report` (the report as read, "" when there is none), or nullopt when
// there is nothing to change.
using ReportChange = std::function<Result<std::optional<ApiRequest>>(const std::string& report, bool exists)>;

// Reads the report of `ns` (unless `read` already holds it), asks `change` for the write and sends it; on a
// 409 reads it again and asks again, up to kReportAttempts writes. The answer to the last write, whatever
// its status, or nullopt when `change` found nothing to change. A read that fails is an error.
Result<std::optional<ApiResponse>> update_report(const ApiSend& send, const ClusterConfig& config,
                                                 const std::string& ns, std::optional<std::string> read,
                                                 const ReportChange& change);

}  // namespace signet::server::kube
