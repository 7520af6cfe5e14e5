// `signet serve` flags that write admission results to the cluster: --kube-reports (PolicyReports),
// --kube-events (Events), --leader-election-namespace NS and --leader-election-id NAME (the Lease that
// lets one replica write the reports). They reach the API as --kube-policies does (--kubeconfig, or the
// pod's service account).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/result.hpp"
#include "server/cli/command_line.hpp"
#include "server/kube/leader_election.hpp"
#include "server/kube/report_writer.hpp"
#include "server/metrics.hpp"

namespace signet::server::kube {

std::vector<FlagSpec> kube_report_flag_specs();
extern const char* const kKubeReportFlagsHelp;

bool wants_kube_reporting(const CommandLine& line);

struct Reporting {
  std::unique_ptr<LeaderElector> elector;  // null without --leader-election-namespace
  std::unique_ptr<ReportWriter> writer;    // null without --kube-reports and --kube-events
};

// What the flags ask for, not started; its counts go to `metrics` (signet_reports_*, signet_leader) and
// its problems to `on_note`. Usage mistakes are Invalid errors naming the flag.
Result<Reporting> reporting_from(const CommandLine& line, Metrics& metrics, WriterNote on_note);

}  // namespace signet::server::kube
