// One report result as JSON, as PolicyReports and AdmissionReports hold it (a wgpolicyk8s.io
// PolicyReportResult with one resource): shared by policy_report.cpp and admission_report.cpp.
#pragma once

#include <rapidjson/document.h>

#include "server/kube/policy_report.hpp"

namespace signet::server::kube {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value write_result(const ReportResult& result, Allocator& allocator);
// Fields others added are ignored; an entry without a policy reads as a result without one.
ReportResult read_result(const rapidjson::Value& entry);

}  // namespace signet::server::kube
