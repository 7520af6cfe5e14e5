#include "server/kube/leader_election.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/asio/io_context.hpp>

#include "server/kube/api_client.hpp"
#include "server/kube/api_transport.hpp"
#include "server/kube/blocking_send.hpp"
#include "server/kube/json_fields.hpp"

namespace signet::server::kube {
namespace net = boost::asio;
namespace {

using Json = rapidjson::Value;

std::string default_identity() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "signet");
  std::mt19937_64 random(std::random_device{}());
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return std::string(host) + "_" + suffix;
}

// metav1.MicroTime: RFC 3339 with microseconds, in UTC.
std::string micro_time(std::chrono::system_clock::time_point when) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(micros % 1000000));
  return text;
}

void set(Json& object, const char* name, Json value, rapidjson::Document::AllocatorType& a) {
  object.RemoveMember(name);
  object.AddMember(rapidjson::StringRef(name), value, a);
}

}  // namespace

ResourceType leases() { return {"coordination.k8s.io", "v1", "leases", "Lease", true}; }

struct LeaderElector::Impl {
  LeaderElectionOptions options;
  LeadershipChanged on_change;
  ElectionNote on_note;
  ApiTransport transport;
  net::io_context io{1};
  std::atomic<bool> leading{false};
  std::mutex round_mutex;  // one round at a time: the thread's, a test's, or stop()'s release
  // What this replica last saw of the Lease, and when by its own clock.
  std::string observed_version;
  Clock::time_point observed_at{};
  Clock::time_point renewed_at{};
  std::string held_json;  // the Lease as this replica last wrote it, while leading
  std::thread thread;
  std::mutex wait_mutex;
  std::condition_variable wake;
  bool stopping = false;

  Impl(ClusterConfig config, LeaderElectionOptions o, LeadershipChanged changed, ElectionNote note)
      : options(std::move(o)), on_change(std::move(changed)), on_note(std::move(note)), transport(std::move(config)) {
    if (options.identity.empty()) options.identity = default_identity();
  }

  std::string what() const { return "Lease " + options.namespace_name + "/" + options.name; }

  Result<ApiResponse> send(const ApiRequest& request) {
    return blocking_send(io, transport, request, Clock::now() + options.request_timeout);
  }

  void set_leading(bool now) {
    if (leading.exchange(now) == now) return;
    if (on_note) on_note(false, options.identity + (now ? " now leads" : " no longer leads") + " (" + what() + ")");
    if (on_change) on_change(now);
  }

  // The Lease as this replica would write it, from `existing` (a document; null for a new Lease).
  std::string claimed(rapidjson::Document& doc, bool taking_over) {
    auto& a = doc.GetAllocator();
    const std::string now = micro_time(std::chrono::system_clock::now());
    if (!doc.IsObject()) {
      doc.SetObject();
      Json metadata(rapidjson::kObjectType);
      metadata.AddMember("name", Json(options.name.c_str(), a), a);
      metadata.AddMember("namespace", Json(options.namespace_name.c_str(), a), a);
      doc.AddMember("apiVersion", "coordination.k8s.io/v1", a);
      doc.AddMember("kind", "Lease", a);
      doc.AddMember("metadata", metadata, a);
    }
    if (!doc.HasMember("spec") || !doc["spec"].IsObject()) set(doc, "spec", Json(rapidjson::kObjectType), a);
    Json& spec = doc["spec"];
    set(spec, "holderIdentity", Json(options.identity.c_str(), a), a);
    const auto seconds =
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(options.lease_duration).count());
    set(spec, "leaseDurationSeconds", Json(seconds), a);
    set(spec, "renewTime", Json(now.c_str(), a), a);
    if (taking_over) {
      set(spec, "acquireTime", Json(now.c_str(), a), a);
      std::int64_t transitions = 0;
      if (spec.HasMember("leaseTransitions") && spec["leaseTransitions"].IsInt64())
        transitions = spec["leaseTransitions"].GetInt64() + 1;
      set(spec, "leaseTransitions", Json(transitions), a);
    }
    return to_json(doc);
  }

  // Whether this replica leads after a successful write whose answer is `response`.
  bool won(const ApiResponse& response) {
    rapidjson::Document doc;
    if (!doc.Parse(response.body.c_str(), response.body.size()).HasParseError() && doc.IsObject() &&
        doc.HasMember("metadata") && doc["metadata"].IsObject() && doc["metadata"].HasMember("resourceVersion") &&
        doc["metadata"]["resourceVersion"].IsString()) {
      observed_version = doc["metadata"]["resourceVersion"].GetString();
    }
    observed_at = renewed_at = Clock::now();
    held_json = response.body;
    set_leading(true);
    return true;
  }

  bool lost() {
    held_json.clear();
    set_leading(false);
    return false;
  }

  Result<bool> round() {
    const ResourceType type = leases();
    const std::string path = type.object_path(options.namespace_name, options.name);
    auto got = send({"GET", path, ""});
    if (got && got->status == 404) {
      rapidjson::Document doc;
      doc.SetNull();
      const ApiRequest create{"POST", type.collection_path(options.namespace_name), claimed(doc, true)};
      auto created = send(create);
      if (!created) return created.error().context("create " + what());
      if (created->status == 200 || created->status == 201) return won(*created);
      if (created->status == 409) return lost();  // another replica created it first
      return api_error("create", type, what(), *created, transport.config());
    }
    if (!got) return got.error().context("get " + what());
    if (got->status != 200) return api_error("get", type, what(), *got, transport.config());

    rapidjson::Document doc;
    if (doc.Parse(got->body.c_str(), got->body.size()).HasParseError() || !doc.IsObject() ||
        !doc.HasMember("metadata") || !doc["metadata"].IsObject())
      return Error::invalid("get " + what() + ": the answer is not a Lease");
    const Json& metadata = doc["metadata"];
    const std::string version = metadata.HasMember("resourceVersion") && metadata["resourceVersion"].IsString()
                                    ? metadata["resourceVersion"].GetString()
                                    : "";
    if (version != observed_version) {
      observed_version = version;
      observed_at = Clock::now();
    }
    std::string holder;
    auto duration = options.lease_duration;
    if (doc.HasMember("spec") && doc["spec"].IsObject()) {
      const Json& spec = doc["spec"];
      if (spec.HasMember("holderIdentity") && spec["holderIdentity"].IsString())
        holder = spec["holderIdentity"].GetString();
      if (spec.HasMember("leaseDurationSeconds") && spec["leaseDurationSeconds"].IsInt64())
        duration = std::chrono::seconds(spec["leaseDurationSeconds"].GetInt64());
    }
    const bool mine = holder == options.identity;
    if (!mine && !holder.empty() && Clock::now() < observed_at + duration) return lost();

    const ApiRequest update{"PUT", path, claimed(doc, !mine)};
    auto put = send(update);
    if (!put) return put.error().context("update " + what());
    if (put->status == 200) return won(*put);
    if (put->status == 409) return lost();  // someone else wrote the Lease since it was read
    return api_error("update", type, what(), *put, transport.config());
  }

  Result<bool> attempt() {
    std::lock_guard lock(round_mutex);
    auto result = round();
    if (!result && leading && Clock::now() - renewed_at >= options.renew_deadline) lost();
    return result;
  }

  Result<void> release_now() {
    std::lock_guard lock(round_mutex);
    if (!leading || held_json.empty()) return success();
    rapidjson::Document doc;
    if (doc.Parse(held_json.c_str(), held_json.size()).HasParseError() || !doc.IsObject() || !doc.HasMember("spec") ||
        !doc["spec"].IsObject()) {
      lost();
      return success();
    }
    auto& a = doc.GetAllocator();
    set(doc["spec"], "holderIdentity", Json(""), a);
    set(doc["spec"], "leaseDurationSeconds", Json(1), a);
    set(doc["spec"], "renewTime", Json(micro_time(std::chrono::system_clock::now()).c_str(), a), a);
    const ResourceType type = leases();
    const ApiRequest request{"PUT", type.object_path(options.namespace_name, options.name), to_json(doc)};
    auto put = send(request);
    lost();
    if (!put) return put.error().context("release " + what());
    if (put->status != 200 && put->status != 409) return api_error("update", type, what(), *put, transport.config());
    return success();
  }

  void run() {
    while (true) {
      if (auto result = attempt(); !result && on_note) on_note(true, result.error().message);
      std::unique_lock lock(wait_mutex);
      if (wake.wait_for(lock, options.retry_period, [&] { return stopping; })) break;
    }
    if (auto released = release_now(); !released && on_note) on_note(true, released.error().message);
  }
};

LeaderElector::LeaderElector(ClusterConfig config, LeaderElectionOptions options, LeadershipChanged on_change,
                             ElectionNote on_note)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options), std::move(on_change), std::move(on_note))) {}

LeaderElector::~LeaderElector() { stop(); }

const std::string& LeaderElector::identity() const { return impl_->options.identity; }
bool LeaderElector::leading() const { return impl_->leading; }

Result<bool> LeaderElector::try_acquire_or_renew() {
  if (auto ready = impl_->transport.ready(); !ready) return ready.error();
  return impl_->attempt();
}

Result<void> LeaderElector::release() { return impl_->release_now(); }

void LeaderElector::start() {
  if (impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->wait_mutex);
    impl_->stopping = false;
  }
  impl_->thread = std::thread([this] { impl_->run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(impl_->wait_mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace signet::server::kube
