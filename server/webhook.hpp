// The webhook's request handling, free of any transport: an HTTP method, path and body in, a status,
// content type and body out. The HTTPS server and `signet admit` both call it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "oci/registry.hpp"
#include "oci/ttl_cache.hpp"
#include "policy/engine.hpp"
#include "policy/manifests/dry_run.hpp"
#include "policy/policy_set.hpp"
#include "policy/verdict_cache.hpp"
#include "server/metrics.hpp"

namespace signet::server {

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::optional<bool> allowed;  // set when a review was answered
};

struct WebhookOptions {
  // Each review is answered within this time; below the webhook's timeoutSeconds (10 s by default).
  std::chrono::milliseconds review_deadline{8000};
  // Verdicts shared between reviews; none = every review verifies.
  policy::VerdictCache* verdicts = nullptr;
  // The caches' sizes and hit counts by cache name, read when /metrics is scraped.
  std::function<std::map<std::string, oci::CacheStats>()> cache_stats;
  // Told every decision, to report it; must return at once (the report writer only queues it).
  std::function<void(const policy::AdmissionRequest&, const policy::Decision&)> on_decision;
  // Creates signed manifests in dry-run for validate.manifests rules with dryRun; none: such rules error.
  policy::DryRunner* dry_runner = nullptr;
};

class Webhook {
 public:
  Webhook(policy::PolicyStore& policies, oci::Registry& registry, Metrics& metrics, WebhookOptions options);

  // Routes one HTTP request: POST /validate, POST /mutate, GET /healthz, /readyz, /metrics.
  boost::asio::awaitable<HttpAnswer> handle(std::string_view method, std::string_view target, std::string_view body);

  // Answers one AdmissionReview body as /validate (or /mutate): 200 with the response review, or 400 with
  // the reason the review is malformed.
  boost::asio::awaitable<HttpAnswer> review(std::string_view body, policy::Mode mode);

  // /readyz needs the serving certificate too; the server says when it has one.
  void set_certificate_loaded(bool loaded) { certificate_loaded_ = loaded; }
  bool ready() const { return certificate_loaded_ && policies_.loaded(); }

 private:
  policy::PolicyStore& policies_;
  oci::Registry& registry_;
  Metrics& metrics_;
  WebhookOptions options_;
  std::atomic<bool> certificate_loaded_{false};
};

}  // namespace signet::server
