#include "server/cli/report_flags.hpp"

#include "server/cli/policy_flags.hpp"

namespace signet::server::kube {

const char* const kKubeReportFlagsHelp =
    "Admission results in the cluster (written in the background; admissions never wait for them):\n"
    "  --kube-reports             write wgpolicyk8s.io/v1alpha2 PolicyReports (per namespace) and a\n"
    "                             ClusterPolicyReport with the latest result of each resource, policy and rule\n"
    "  --kube-events              write a Warning Event (reason PolicyViolation) on each object a rule failed for\n"
    "  --leader-election-namespace NS  only the replica holding a coordination.k8s.io Lease in NS writes\n"
    "                             reports; the others hand their results over as signet.dev AdmissionReports\n"
    "                             in NS (default: every replica merges its own results into the reports)\n"
    "  --leader-election-id NAME  the Lease's name (default signet)\n";

std::vector<FlagSpec> kube_report_flag_specs() {
  return {{"kube-reports", false}, {"kube-events", false}, {"leader-election-namespace"}, {"leader-election-id"}};
}

bool wants_kube_reporting(const CommandLine& line) { return line.has("kube-reports") || line.has("kube-events"); }

Result<Reporting> reporting_from(const CommandLine& line, Metrics& metrics, WriterNote on_note) {
  const bool reports = line.has("kube-reports");
  if (line.has("leader-election-namespace") && !reports)
    return Error::invalid("--leader-election-namespace elects the PolicyReport writer: it needs --kube-reports");
  if (line.has("leader-election-id") && !line.has("leader-election-namespace"))
    return Error::invalid("--leader-election-id needs --leader-election-namespace NS");
  Reporting out;
  if (!wants_kube_reporting(line)) return out;
  auto config = cluster_config_from(line);
  if (!config) return config.error();

  if (line.has("leader-election-namespace")) {
    LeaderElectionOptions election;
    election.namespace_name = line.get("leader-election-namespace");
    election.name = line.get("leader-election-id", "signet");
    if (election.namespace_name.empty() || election.name.empty())
      return Error::invalid("--leader-election-namespace and --leader-election-id cannot be empty");
    metrics.leader.set({}, 0);
    out.elector = std::make_unique<LeaderElector>(
        *config, election, [&metrics](bool leading) { metrics.leader.set({}, leading ? 1 : 0); }, on_note);
  }
  ReportWriterOptions options;
  options.reports = reports;
  options.events = line.has("kube-events");
  options.reporting_instance = out.elector ? out.elector->identity() : "";
  options.handover_namespace = out.elector ? line.get("leader-election-namespace") : "";
  metrics.reports_dropped.increment({}, 0);
  ReportCounters counters{[&metrics] { metrics.reports_dropped.increment({}); },
                          [&metrics](const std::string& kind, std::size_t count) {
                            metrics.reports_written.increment({kind}, static_cast<double>(count));
                          }};
  out.writer = std::make_unique<ReportWriter>(std::move(*config), options, out.elector.get(), std::move(counters),
                                              std::move(on_note));
  return out;
}

}  // namespace signet::server::kube
