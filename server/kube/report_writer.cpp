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

#include "server/kube/api_client.hpp"
#include "server/kube/api_transport.hpp"
#include "server/kube/blocking_send.hpp"
#include "server/kube/bounded_queue.hpp"

namespace signet::server::kube {
namespace net = boost::asio;
namespace {

using Json = rapidjson::Value;

constexpr int kReportAttempts = 3;              // reads and writes of one report in a batch, when others write too
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
  std::thread thread;
  std::mutex wait_mutex;
  std::condition_variable wake;
  bool stopping = false;

  Impl(ClusterConfig config, ReportWriterOptions o, const LeaderElector* l, ReportCounters c, WriterNote note)
      : options(std::move(o)),
        leader(l),
        counters(std::move(c)),
        on_note(std::move(note)),
        transport(std::move(config)),
        queue(options.queue_capacity) {}

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
  std::string event_json(const AdmissionOutcome& outcome, const ReportResult& r) {
    const ResourceRef& ref = outcome.resource;
    const std::string ns = ref.namespace_name.empty() ? "default" : ref.namespace_name;
    const std::string stamp = rfc3339(r.timestamp);
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, "%llx%04llx", static_cast<unsigned long long>(r.timestamp),
                  static_cast<unsigned long long>(++event_serial % 0x10000));
    std::string message = "policy " + r.policy + "/" + r.rule + " " + r.result +
                          (outcome.allowed ? "" : " (admission denied)") + ": " + r.message;
    if (message.size() > kEventMessageMax) message = message.substr(0, kEventMessageMax - 3) + "...";

    rapidjson::Document doc;
    doc.SetObject();
    auto& a = doc.GetAllocator();
    auto str = [&](const std::string& s) { return Json(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); };
    Json metadata(rapidjson::kObjectType);
    metadata.AddMember("name", str((ref.name.empty() ? "signet" : ref.name) + "." + suffix), a);
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
    doc.AddMember("message", str(message), a);
    doc.AddMember("type", "Warning", a);
    doc.AddMember("action", outcome.allowed ? "Admitted" : "Rejected", a);
    doc.AddMember("source", source, a);
    doc.AddMember("reportingComponent", "signet", a);
    doc.AddMember("reportingInstance", str(options.reporting_instance.empty() ? "signet" : options.reporting_instance),
                  a);
    doc.AddMember("firstTimestamp", str(stamp), a);
    doc.AddMember("lastTimestamp", str(stamp), a);
    doc.AddMember("count", 1, a);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  void write_events(const std::vector<AdmissionOutcome>& batch) {
    std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> seen;
    std::size_t written = 0, attempted = 0, left_out = 0;
    std::optional<Error> problem;
    bool unreachable = false;
    for (const auto& outcome : batch) {
      for (const auto& r : outcome.results) {
        if (!failed(r)) continue;
        const auto& ref = outcome.resource;
        if (!seen.emplace(ref.kind, ref.namespace_name, ref.name, r.policy, r.rule).second) continue;
        if (attempted >= options.events_per_batch) {
          ++left_out;
          continue;
        }
        ++attempted;
        const std::string ns = ref.namespace_name.empty() ? "default" : ref.namespace_name;
        const ApiRequest request{"POST", events().collection_path(ns), event_json(outcome, r)};
        auto answer = send(request);
        if (answer && (answer->status == 201 || answer->status == 200)) {
          ++written;
        } else if (!problem) {
          problem = answer ? api_error("create", events(), "events in " + ns, *answer, transport.config())
                           : answer.error().context("create an Event in " + ns);
        }
        // The API server cannot be reached: the rest would each wait as long, so they are left out.
        if (!answer) {
          unreachable = true;
          break;
        }
      }
      if (unreachable) break;
    }
    wrote("Event", written);
    if (problem) note(true, "Events not written (" + std::to_string(attempted - written) + "): " + problem->message);
    if (left_out > 0)
      note(true, std::to_string(left_out) + " Events left out: more than " + std::to_string(options.events_per_batch) +
                     " in one batch");
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
    for (int attempt = 1;; ++attempt) {
      auto got = send({"GET", type.object_path(ns, name), ""});
      if (!got) return got.error().context("get " + what);
      if (got->status != 200 && got->status != 404) return api_error("get", type, what, *got, transport.config());
      const bool exists = got->status == 200;
      auto merged = merge_report(exists ? got->body : "", ns, results, options.results_per_report);
      if (!merged) return merged.error();
      const ApiRequest write = exists ? ApiRequest{"PUT", type.object_path(ns, name), std::move(*merged)}
                                      : ApiRequest{"POST", type.collection_path(ns), std::move(*merged)};
      auto put = send(write);
      if (!put) return put.error().context((exists ? "update " : "create ") + what);
      if (put->status == 200 || put->status == 201) {
        wrote(type.kind, 1);
        return success();
      }
      // 409: written (or created) by someone else since it was read; read it again.
      if (put->status != 409 || attempt == kReportAttempts)
        return api_error(exists ? "update" : "create", type, what, *put, transport.config());
    }
  }

  void write_reports() {
    if (leader != nullptr && !leader->leading()) return;  // kept pending: written if this replica comes to lead
    for (auto it = pending.begin(); it != pending.end();) {
      auto written = write_report(it->first, it->second);
      if (!written) {
        note(true, "PolicyReport results kept for the next batch: " + written.error().message);
        if (written.error().kind == Error::Kind::Unavailable) return;  // the others would wait as long
        ++it;
        continue;
      }
      pending_count -= it->second.size();
      it = pending.erase(it);
    }
  }

  void flush() {
    std::lock_guard lock(flush_mutex);
    auto batch = queue.take(options.queue_capacity, std::chrono::milliseconds(0));
    if (options.events && !batch.empty()) write_events(batch);
    if (options.reports) {
      keep_pending(batch);
      if (!pending.empty()) write_reports();
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
