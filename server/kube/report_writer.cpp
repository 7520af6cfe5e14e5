#include "server/kube/report_writer.hpp"

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/asio/io_context.hpp>

#include "oci/url.hpp"
#include "server/kube/admission_report.hpp"
#include "server/kube/api_client.hpp"
#include "server/kube/api_transport.hpp"
#include "server/kube/blocking_send.hpp"
#include "server/kube/bounded_queue.hpp"
#include "server/kube/event_correlator.hpp"
#include "server/kube/json_fields.hpp"
#include "server/kube/report_sweep.hpp"
#include "server/kube/report_update.hpp"

namespace signet::server::kube {
namespace net = boost::asio;
namespace {

using Json = rapidjson::Value;

constexpr std::size_t kEventMessageMax = 1024;  // what the API server keeps of an Event's message

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

bool failed(const ReportResult& r) { return r.result == "fail" || r.result == "error"; }

ResourceType events() { return {"", "v1", "events", "Event", true}; }

// Whether a 404 Status is about a namespace (details.kind "namespaces"), not about the resource.
bool names_a_namespace(const std::string& status) {
  rapidjson::Document doc;
  if (doc.Parse(status.c_str(), status.size()).HasParseError() || !doc.IsObject()) return false;
  auto details = doc.FindMember("details");
  if (details == doc.MemberEnd() || !details->value.IsObject()) return false;
  auto kind = details->value.FindMember("kind");
  return kind != details->value.MemberEnd() && kind->value.IsString() &&
         std::string(kind->value.GetString()) == "namespaces";
}

}  // namespace

struct ReportWriter::Impl {
  ReportWriterOptions options;
  const LeaderElector* leader;
  ReportCounters counters;
  WriterNote on_note;
  ApiTransport transport;
  net::io_context io{1};
  BoundedQueue<AdmissionOutcome> queue;
  std::atomic<std::size_t> dropped{0};
  std::mutex flush_mutex;
  // Results waiting for their report, by namespace ("" = the cluster report), oldest first.
  std::map<std::string, std::vector<ReportResult>> pending;
  std::size_t pending_count = 0;
  std::uint64_t event_serial = 0;
  // Not leading: this replica's AdmissionReports not yet seen deleted, and when it may LIST them again.
  std::set<std::string> outstanding;
  Clock::time_point next_recount{};
  bool at_cap = false;  // said in the log once
  EventCorrelator correlator;
  ReportSweep sweeper;
  Clock::time_point next_sweep;
  std::thread thread;
  std::mutex wait_mutex;
  std::condition_variable wake;
  bool stopping = false;

  Impl(ClusterConfig config, ReportWriterOptions o, const LeaderElector* l, ReportCounters c, WriterNote note)
      : options(std::move(o)),
        leader(l),
        counters(std::move(c)),
        on_note(std::move(note)),
        transport(config),
        queue(options.queue_capacity),
        sweeper([this](const ApiRequest& request) { return send(request); }, std::move(config),
                {options.sweep_checks, options.results_per_report},
                [this](bool problem, const std::string& message) { this->note(problem, message); }),
        next_sweep(Clock::now() + options.sweep_interval) {}

  void note(bool problem, const std::string& message) {
    if (on_note) on_note(problem, message);
  }
  void wrote(const std::string& kind, std::size_t count) {
    if (counters.wrote && count > 0) counters.wrote(kind, count);
  }

  Result<ApiResponse> send(const ApiRequest& request) {
    return blocking_send(io, transport, request, Clock::now() + options.request_timeout);
  }

  // --- events ------------------------------------------------------------------------------------------
  // The failures of a batch with the same Event, counted.
  struct EventGroup {
    const AdmissionOutcome* outcome;
    std::string message;
    std::int64_t count;
    std::int64_t first;  // timestamps, seconds
    std::int64_t last;
  };

  static std::string event_message(const AdmissionOutcome& outcome, const ReportResult& r) {
    std::string message = "policy " + r.policy + "/" + r.rule + " " + r.result +
                          (outcome.allowed ? "" : " (admission denied)") + ": " + r.message;
    if (message.size() > kEventMessageMax) message = message.substr(0, kEventMessageMax - 3) + "...";
    return message;
  }

  // What makes two Events the same for the correlator: involvedObject, type, reason, message and source.
  static std::string event_key(const ResourceRef& ref, const std::string& message) {
    std::string key;
    for (const std::string* part : {&ref.api_version, &ref.kind, &ref.namespace_name, &ref.name, &ref.uid, &message})
      key += *part + '\x1f';  // in none of them
    return key + "Warning\x1fPolicyViolation\x1fsignet";
  }

  std::string event_json(const EventGroup& group, const std::string& name) {
    const ResourceRef& ref = group.outcome->resource;
    const std::string ns = ref.namespace_name.empty() ? "default" : ref.namespace_name;

    rapidjson::Document doc;
    doc.SetObject();
    auto& a = doc.GetAllocator();
    auto str = [&](const std::string& s) { return Json(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); };
    Json metadata(rapidjson::kObjectType);
    metadata.AddMember("name", str(name), a);
    metadata.AddMember("namespace", str(ns), a);
    Json involved(rapidjson::kObjectType);
    involved.AddMember("apiVersion", str(ref.api_version), a);
    involved.AddMember("kind", str(ref.kind), a);
    if (!ref.namespace_name.empty()) involved.AddMember("namespace", str(ref.namespace_name), a);
    involved.AddMember("name", str(ref.name), a);
    if (!ref.uid.empty()) involved.AddMember("uid", str(ref.uid), a);
    Json source(rapidjson::kObjectType);
    source.AddMember("component", "signet", a);
    doc.AddMember("apiVersion", "v1", a);
    doc.AddMember("kind", "Event", a);
    doc.AddMember("metadata", metadata, a);
    doc.AddMember("involvedObject", involved, a);
    doc.AddMember("reason", "PolicyViolation", a);
    doc.AddMember("message", str(group.message), a);
    doc.AddMember("type", "Warning", a);
    doc.AddMember("action", group.outcome->allowed ? "Admitted" : "Rejected", a);
    doc.AddMember("source", source, a);
    doc.AddMember("reportingComponent", "signet", a);
    doc.AddMember("reportingInstance", str(options.reporting_instance.empty() ? "signet" : options.reporting_instance),
                  a);
    doc.AddMember("firstTimestamp", str(rfc3339(group.first)), a);
    doc.AddMember("lastTimestamp", str(rfc3339(group.last)), a);
    doc.AddMember("count", Json(group.count), a);
    return to_json(doc);
  }

  std::string new_event_name(const ResourceRef& ref, std::int64_t timestamp) {
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, "%llx%04llx", static_cast<unsigned long long>(timestamp),
                  static_cast<unsigned long long>(++event_serial % 0x10000));
    return (ref.name.empty() ? "signet" : ref.name) + "." + suffix;
  }

  // Raises the count of the Event `seen` by `group` (a merge patch); its answer.
  Result<ApiResponse> count_up(const SeenEvent& seen, const EventGroup& group) {
    const std::string patch = "{\"count\":" + std::to_string(seen.count + group.count) + ",\"lastTimestamp\":\"" +
                              rfc3339(group.last) + "\"}";
    return send({"PATCH", events().object_path(seen.namespace_name, seen.name), patch});
  }

  // Writes one group's Event: counts up the one written before for it (within the correlator's window),
  // or creates one (also when the one before is gone: Events expire).
  // `verb` is set to the write's verb (create, patch).
  Result<ApiResponse> write_event(const EventGroup& group, std::int64_t now, std::string& verb) {
    const ResourceRef& ref = group.outcome->resource;
    const std::string key = event_key(ref, group.message);
    if (auto seen = correlator.find(key, now)) {
      verb = "patch";
      auto answer = count_up(*seen, group);
      if (!answer || answer->status != 404) {
        if (answer && answer->status == 200)
          correlator.record(key, {seen->namespace_name, seen->name, seen->count + group.count, now});
        return answer;
      }
      correlator.forget(key);
    }
    const std::string ns = ref.namespace_name.empty() ? "default" : ref.namespace_name;
    const std::string name = new_event_name(ref, group.last);
    verb = "create";
    auto answer = send({"POST", events().collection_path(ns), event_json(group, name)});
    if (answer && (answer->status == 201 || answer->status == 200))
      correlator.record(key, {ns, name, group.count, now});
    return answer;
  }

  void write_events(const std::vector<AdmissionOutcome>& batch) {
    std::vector<EventGroup> groups;
    std::map<std::string, std::size_t> index;  // event key → groups[i]
    for (const auto& outcome : batch) {
      for (const auto& r : outcome.results) {
        if (!failed(r)) continue;
        std::string message = event_message(outcome, r);
        auto [it, added] = index.emplace(event_key(outcome.resource, message), groups.size());
        if (added) {
          groups.push_back({&outcome, std::move(message), 1, r.timestamp, r.timestamp});
        } else {
          auto& group = groups[it->second];
          ++group.count;
          group.first = std::min(group.first, r.timestamp);
          group.last = std::max(group.last, r.timestamp);
        }
      }
    }
    const std::int64_t now = now_seconds();
    std::size_t written = 0, attempted = 0;
    std::optional<Error> problem;
    for (const auto& group : groups) {
      if (attempted == options.events_per_batch) break;
      ++attempted;
      std::string verb;
      auto answer = write_event(group, now, verb);
      if (answer && (answer->status == 201 || answer->status == 200)) {
        ++written;
        continue;
      }
      const std::string ns =
          group.outcome->resource.namespace_name.empty() ? "default" : group.outcome->resource.namespace_name;
      if (!problem)
        problem = answer ? api_error(verb, events(), "events in " + ns, *answer, transport.config())
                         : answer.error().context(verb + " an Event in " + ns);
      if (!answer) break;  // the API server cannot be reached: the rest would each wait as long
    }
    wrote("Event", written);
    if (problem) note(true, "Events not written (" + std::to_string(attempted - written) + "): " + problem->message);
    if (groups.size() > options.events_per_batch)
      note(true, std::to_string(groups.size() - options.events_per_batch) + " Events left out: more than " +
                     std::to_string(options.events_per_batch) + " in one batch");
  }

  // --- reports -----------------------------------------------------------------------------------------
  void keep_pending(const std::vector<AdmissionOutcome>& batch) {
    for (const auto& outcome : batch) {
      if (!outcome.allowed) continue;  // a denied object does not exist: nothing to report on
      for (const auto& r : outcome.results) {
        pending[r.resource.namespace_name].push_back(r);
        ++pending_count;
      }
    }
    // Over the bound: the oldest results of the largest backlog go first.
    while (pending_count > options.pending_results) {
      auto largest = pending.begin();
      for (auto it = pending.begin(); it != pending.end(); ++it)
        if (it->second.size() > largest->second.size()) largest = it;
      const std::size_t excess = std::min(largest->second.size(), pending_count - options.pending_results);
      largest->second.erase(largest->second.begin(), largest->second.begin() + static_cast<std::ptrdiff_t>(excess));
      pending_count -= excess;
      if (largest->second.empty()) pending.erase(largest);
    }
  }

  Result<void> write_report(const std::string& ns, const std::vector<ReportResult>& results) {
    const ResourceType& type = report_type(ns);
    const std::string name = report_name(ns);
    const std::string what = type.kind + " " + (ns.empty() ? name : ns + "/" + name);
    bool exists = false;
    const ReportChange change = [&](const std::string& current, bool found) -> Result<std::optional<ApiRequest>> {
      exists = found;
      auto merged = merge_report(current, ns, results, options.results_per_report);
      if (!merged) return merged.error();
      return std::optional<ApiRequest>(exists ? ApiRequest{"PUT", type.object_path(ns, name), std::move(*merged)}
                                              : ApiRequest{"POST", type.collection_path(ns), std::move(*merged)});
    };
    auto answer = update_report([this](const ApiRequest& request) { return send(request); }, transport.config(), ns,
                                std::nullopt, change);
    if (!answer) return answer.error();
    const ApiResponse& put = **answer;
    if (put.status == 200 || put.status == 201) {
      wrote(type.kind, 1);
      return success();
    }
    // The namespace is gone (a report is created in it): so are the objects the results are about.
    if (!exists && !ns.empty() && put.status == 404 && names_a_namespace(put.body)) {
      note(false, "results about objects of namespace " + ns + " left out: the namespace is gone");
      return success();
    }
    return api_error(exists ? "update" : "create", type, what, put, transport.config());
  }

  // Writes each namespace's results into its report; the namespaces whose report could not be written.
  std::set<std::string> write_reports(const std::map<std::string, std::vector<ReportResult>>& by_namespace) {
    std::set<std::string> unwritten;
    bool unreachable = false;
    for (const auto& [ns, results] : by_namespace) {
      if (unreachable) {
        unwritten.insert(ns);
        continue;
      }
      auto written = write_report(ns, results);
      if (!written) {
        note(true, "PolicyReport results kept for the next batch: " + written.error().message);
        unwritten.insert(ns);
        unreachable = written.error().kind == Error::Kind::Unavailable;  // the others would wait as long
      }
    }
    return unwritten;
  }

  // Forgets the pending results of every namespace but `kept`.
  void written(const std::set<std::string>& kept) {
    for (auto it = pending.begin(); it != pending.end();) {
      if (kept.count(it->first)) {
        ++it;
        continue;
      }
      pending_count -= it->second.size();
      it = pending.erase(it);
    }
  }

  std::string replica() const { return options.reporting_instance.empty() ? "signet" : options.reporting_instance; }

  // Replaces the local count of this replica's AdmissionReports with what a LIST of them finds (at most the
  // cap: a longer list is the cap reached).
  void recount() {
    const ResourceType type = admission_reports();
    next_recount = Clock::now() + options.admission_report_recount;
    auto listed = send({"GET",
                        type.collection_path(options.handover_namespace) +
                            "?labelSelector=" + oci::url_encode(admission_report_selector(replica())) +
                            "&limit=" + std::to_string(options.admission_reports_outstanding),
                        ""});
    if (!listed || listed->status != 200) {
      note(true, "AdmissionReports of this replica not counted: " +
                     (listed ? api_error("list", type, type.name() + " in " + options.handover_namespace, *listed,
                                         transport.config())
                             : listed.error().context("list AdmissionReports"))
                         .message);
      return;
    }
    auto page = read_admission_reports(listed->body);
    if (!page) {
      note(true, "AdmissionReports of this replica not counted: " + page.error().message);
      return;
    }
    outstanding.clear();
    for (const auto& report : page->reports) outstanding.insert(report.name);
  }

  // How many AdmissionReports this replica may create now.
  std::size_t handover_room() {
    const std::size_t cap = options.admission_reports_outstanding;
    if (outstanding.size() >= cap && Clock::now() >= next_recount) recount();
    if (outstanding.size() < cap) {
      if (at_cap) note(false, "AdmissionReports of this replica below the cap again: results handed over");
      at_cap = false;
      return cap - outstanding.size();
    }
    if (!at_cap)
      note(true, std::to_string(cap) +
                     " AdmissionReports of this replica wait for the leader to merge them (can it "
                     "list and delete them?): results stay here until it does (at most " +
                     std::to_string(options.pending_results) + ", the oldest dropped)");
    at_cap = true;
    return 0;
  }

  // Not leading: the pending results go to the leader as AdmissionReports; those not sent stay pending.
  void hand_over() {
    std::vector<ReportResult> all;
    for (auto& [ns, results] : pending) all.insert(all.end(), results.begin(), results.end());
    const ResourceType type = admission_reports();
    const std::size_t room = handover_room();
    std::size_t sent = 0, reports = 0;
    while (sent < all.size() && reports < room) {
      const std::size_t n = std::min(options.results_per_admission_report, all.size() - sent);
      const std::vector<ReportResult> chunk(all.begin() + static_cast<std::ptrdiff_t>(sent),
                                            all.begin() + static_cast<std::ptrdiff_t>(sent + n));
      auto answer = send({"POST", type.collection_path(options.handover_namespace),
                          admission_report_json(options.handover_namespace, replica(), chunk)});
      if (!answer || answer->status != 201) {
        const Error error = answer ? api_error("create", type, type.name() + " in " + options.handover_namespace,
                                               *answer, transport.config())
                                   : answer.error().context("create an AdmissionReport");
        note(true, "results kept for the next batch: " + error.message);
        break;
      }
      const std::string name = created_name(answer->body);
      outstanding.insert(name.empty() ? "unnamed-" + std::to_string(outstanding.size()) : name);
      sent += n;
      ++reports;
    }
    wrote("AdmissionReport", reports);
    pending.clear();
    pending_count = 0;
    for (std::size_t i = sent; i < all.size(); ++i) {
      pending[all[i].resource.namespace_name].push_back(std::move(all[i]));
      ++pending_count;
    }
  }

  // Leading: merges its own pending results and up to a page of the AdmissionReports handed over into the
  // reports, then deletes each AdmissionReport all of whose reports were written (as it was read: one
  // changed or recreated meanwhile stays). One not deleted is merged again later, which changes nothing.
  void aggregate() {
    const ResourceType type = admission_reports();
    AdmissionReportPage page;
    const std::string target = type.collection_path(options.handover_namespace) +
                               "?labelSelector=" + oci::url_encode(kManagedBySignet) +
                               "&limit=" + std::to_string(options.admission_reports_per_batch);
    auto listed = send({"GET", target, ""});
    if (listed && listed->status == 200) {
      auto read = read_admission_reports(listed->body);
      if (read)
        page = std::move(*read);
      else
        note(true, "AdmissionReports not merged: " + read.error().message);
    } else {
      note(true, "AdmissionReports not merged: " +
                     (listed ? api_error("list", type, type.name() + " in " + options.handover_namespace, *listed,
                                         transport.config())
                             : listed.error().context("list AdmissionReports"))
                         .message);
      if (!listed) return;  // unreachable: the reports would wait as long
    }
    auto by_namespace = pending;
    for (const auto& report : page.reports)
      for (const auto& r : report.results) by_namespace[r.resource.namespace_name].push_back(r);
    if (by_namespace.empty()) return;
    const auto unwritten = write_reports(by_namespace);
    written(unwritten);
    for (const auto& report : page.reports) {
      const bool merged = std::none_of(report.results.begin(), report.results.end(), [&](const ReportResult& r) {
        return unwritten.count(r.resource.namespace_name) > 0;
      });
      if (!merged) continue;
      auto deleted =
          send({"DELETE", type.object_path(options.handover_namespace, report.name), delete_preconditions(report)});
      // 404: deleted by a leader before this one; 409: not as read, merged again next time.
      if (deleted &&
          (deleted->status == 200 || deleted->status == 202 || deleted->status == 404 || deleted->status == 409))
        continue;
      note(true, "AdmissionReport " + report.name + " merged, not deleted (merged again later): " +
                     (deleted ? api_error("delete", type, report.name, *deleted, transport.config()) : deleted.error())
                         .message);
      if (!deleted) return;
    }
  }

  bool writes_reports() const { return leader == nullptr || leader->leading(); }

  void sweep() {
    auto counts = sweeper.run(now_seconds());
    if (!counts) {
      note(true, "report sweep: " + counts.error().message);
    } else if (counts->gone > 0) {
      note(false, "report sweep: " + std::to_string(counts->gone) + " of " + std::to_string(counts->checked) +
                      " objects looked up are gone; their results were removed from " +
                      std::to_string(counts->reports_written + counts->reports_deleted) + " reports");
    }
  }

  void flush() {
    std::lock_guard lock(flush_mutex);
    auto batch = queue.take(options.queue_capacity, std::chrono::milliseconds(0));
    if (options.events && !batch.empty()) write_events(batch);
    if (!options.reports) return;
    keep_pending(batch);
    if (leader == nullptr) {
      if (!pending.empty()) written(write_reports(pending));
    } else if (leader->leading()) {
      aggregate();
    } else if (!pending.empty()) {
      hand_over();
    }
    if (options.sweep_interval.count() > 0 && Clock::now() >= next_sweep && writes_reports()) {
      next_sweep = Clock::now() + options.sweep_interval;
      sweep();
    }
  }

  void run() {
    while (true) {
      bool stop_now;
      {
        std::unique_lock lock(wait_mutex);
        stop_now = wake.wait_for(lock, options.batch_interval, [&] { return stopping; });
      }
      flush();
      if (stop_now) break;
    }
  }
};

ReportWriter::ReportWriter(ClusterConfig config, ReportWriterOptions options, const LeaderElector* leader,
                           ReportCounters counters, WriterNote on_note)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options), leader, std::move(counters),
                                   std::move(on_note))) {}

ReportWriter::~ReportWriter() { stop(); }

void ReportWriter::submit(const policy::AdmissionRequest& request, const policy::Decision& decision) {
  if (request.dry_run || decision.results.empty()) return;
  auto outcome = admission_outcome(request, decision, now_seconds());
  if (outcome.results.empty()) return;
  if (!impl_->options.reports && std::none_of(outcome.results.begin(), outcome.results.end(), failed)) return;
  submit(std::move(outcome));
}

void ReportWriter::submit(AdmissionOutcome outcome) {
  if (impl_->queue.push(std::move(outcome))) {
    ++impl_->dropped;
    if (impl_->counters.dropped) impl_->counters.dropped();
  }
}

std::size_t ReportWriter::dropped() const { return impl_->dropped; }
std::size_t ReportWriter::queued() const { return impl_->queue.size(); }

void ReportWriter::flush() { impl_->flush(); }

void ReportWriter::sweep() {
  std::lock_guard lock(impl_->flush_mutex);
  if (impl_->options.reports && impl_->writes_reports()) impl_->sweep();
}

void ReportWriter::start() {
  if (impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->wait_mutex);
    impl_->stopping = false;
  }
  impl_->thread = std::thread([this] { impl_->run(); });
}

void ReportWriter::stop() {
  {
    std::lock_guard lock(impl_->wait_mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace signet::server::kube
