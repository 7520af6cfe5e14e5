// Admission results written to the cluster in the background: PolicyReports (wgpolicyk8s.io/v1alpha2) and
// Warning Events (core/v1, reason PolicyViolation) on the admitted object. The webhook only queues an
// outcome (a bounded queue that drops the oldest when full); a thread of its own takes the queue every
// batch interval and writes, so admission latency never waits for the API server, and a slow or failing
// API server costs reports, never admissions.
//
// Reports are read, merged and written back with their resourceVersion (a 409 reads again), so writers never
// lose each other's results. With a LeaderElector only its leader writes them: the other replicas hand their
// results over as AdmissionReports (admission_report.hpp), which the leader merges with its own and deletes.
// The writer of the reports also sweeps them now and then for results about objects that are gone
// (report_sweep.hpp). Events are written by every replica: each admission is answered by one replica, which
// alone knows it; a repeated one raises the count of the Event written before (event_correlator.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "policy/admission.hpp"
#include "policy/engine.hpp"
#include "server/kube/cluster_config.hpp"
#include "server/kube/leader_election.hpp"
#include "server/kube/policy_report.hpp"

namespace signet::server::kube {

struct ReportWriterOptions {
  bool reports = true;  // PolicyReports and ClusterPolicyReports
  bool events = true;   // Events for failed and errored rules
  std::size_t queue_capacity = 2000;
  std::chrono::milliseconds batch_interval{2000};
  std::size_t results_per_report = 1000;  // the newest are kept
  // Results waiting for a report write that failed (or for leadership); the oldest go first.
  std::size_t pending_results = 20000;
  std::size_t events_per_batch = 200;  // beyond this a batch's events are left out (an Event storm helps no one)
  // With a LeaderElector: the namespace of the AdmissionReports (the Lease's), how many results each holds,
  // and how many of them the leader merges per batch.
  std::string handover_namespace;
  std::size_t results_per_admission_report = 500;
  std::size_t admission_reports_per_batch = 50;
  // A replica that does not lead creates at most this many AdmissionReports the leader has not deleted yet
  // (a leader that cannot merge them must not fill the cluster); beyond, its results stay pending. Counted
  // from its creates; at the cap a LIST of its own (at most every recount interval) sees the leader's deletes.
  std::size_t admission_reports_outstanding = 50;
  std::chrono::milliseconds admission_report_recount{30000};
  std::chrono::milliseconds sweep_interval{std::chrono::minutes(5)};  // 0: no sweeps
  std::size_t sweep_checks = 200;  // objects looked up per sweep
  std::chrono::milliseconds request_timeout{5000};
  std::string reporting_instance;  // Event.reportingInstance: this replica
};

// What the writer did, for the metrics.
struct ReportCounters {
  std::function<void()> dropped;                                          // an outcome the full queue dropped
  // PolicyReport, ClusterPolicyReport, AdmissionReport, Event (created or counted up)
  std::function<void(const std::string& kind, std::size_t count)> wrote;
};

using WriterNote = std::function<void(bool problem, const std::string& message)>;

class ReportWriter {
 public:
  // `leader` (may be null) outlives the writer.
  ReportWriter(ClusterConfig config, ReportWriterOptions options, const LeaderElector* leader = nullptr,
               ReportCounters counters = {}, WriterNote on_note = {});
  ~ReportWriter();  // stops
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  // Called by the webhook for each answered review: converts and queues, never waits for the API server.
  // Dry runs and reviews that no rule applied to are not reported.
  void submit(const policy::AdmissionRequest& request, const policy::Decision& decision);
  void submit(AdmissionOutcome outcome);

  std::size_t dropped() const;  // outcomes dropped because the queue was full
  std::size_t queued() const;

  // Writes what is queued now, on the caller's thread (tests; the writer's own thread calls it too).
  void flush();
  // Sweeps the reports now, if this replica writes them (tests; flush() does every sweep interval).
  void sweep();

  // Batches every batch interval on a thread of its own; stop() writes what is still queued and returns.
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::server::kube
