#include "server/webhook.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "policy/manifest_rules.hpp"
#include "server/admission_review.hpp"
#include "server/log.hpp"

namespace signet::server {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr auto kBackstopGrace = std::chrono::milliseconds(250);

HttpAnswer text(int status, std::string body) {
  return HttpAnswer{status, "text/plain; charset=utf-8", std::move(body) + "\n", std::nullopt};
}

bool same_images(const std::vector<policy::ImageUse>& a, const std::vector<policy::ImageUse>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].image != b[i].image || a[i].json_pointer != b[i].json_pointer) return false;
  return true;
}

std::string path_of(std::string_view target) { return std::string(target.substr(0, target.find('?'))); }

}  // namespace

Webhook::Webhook(policy::PolicyStore& policies, oci::Registry& registry, Metrics& metrics, WebhookOptions options)
    : policies_(policies), registry_(registry), metrics_(metrics), options_(options) {}

asio::awaitable<HttpAnswer> Webhook::handle(std::string_view method, std::string_view target, std::string_view body) {
  const std::string path = path_of(target);
  auto expect = [&](std::string_view allowed) -> std::optional<HttpAnswer> {
    if (method == allowed) return std::nullopt;
    return text(405, "method " + std::string(method) + " is not allowed on " + path + "; use " + std::string(allowed));
  };
  if (path == "/validate" || path == "/mutate") {
    if (auto refusal = expect("POST")) co_return *refusal;
    co_return co_await review(body, path == "/mutate" ? policy::Mode::Mutate : policy::Mode::Validate);
  }
  if (path == "/healthz") {
    if (auto refusal = expect("GET")) co_return *refusal;
    co_return text(200, "ok");
  }
  if (path == "/readyz") {
    if (auto refusal = expect("GET")) co_return *refusal;
    if (ready()) co_return text(200, "ok");
    co_return text(503, policies_.loaded() ? "serving certificate not loaded" : "policies not loaded");
  }
  if (path == "/metrics") {
    if (auto refusal = expect("GET")) co_return *refusal;
    if (options_.cache_stats) {
      for (const auto& [name, stats] : options_.cache_stats()) {
        metrics_.cache_entries.set({name}, static_cast<double>(stats.entries));
        metrics_.cache_hits.set({name}, static_cast<double>(stats.hits));
        metrics_.cache_misses.set({name}, static_cast<double>(stats.misses));
      }
    }
    co_return HttpAnswer{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render(), std::nullopt};
  }
  co_return text(404, "no such path: " + path + " (signet serves /validate, /mutate, /healthz, /readyz, /metrics)");
}

asio::awaitable<HttpAnswer> Webhook::review(std::string_view body, policy::Mode mode) {
  const auto started = std::chrono::steady_clock::now();
  // One snapshot for the whole request, even if the policies are reloaded meanwhile.
  std::shared_ptr<const policy::PolicySet> snapshot = policies_.current();
  auto review = decode_admission_review(body, snapshot->reads_request_json);
  if (!review) {
    metrics_.http_errors.increment({"400"});
    log(Level::Warning, "malformed AdmissionReview", {{"error", review.error().message}});
    co_return text(400, "malformed AdmissionReview: " + review.error().message);
  }
  const policy::AdmissionRequest& request = review->request;
  const char* mode_name = mode == policy::Mode::Mutate ? "mutate" : "validate";

  policy::Decision decision;
  // An UPDATE that keeps a pod's images is not verified again. Resources without pod images are
  // always evaluated: a rule's imageExtractors may find images in them.
  // An UPDATE may change a signed manifest while keeping its images: manifest rules always look.
  const bool skip = request.operation == "DELETE" || request.operation == "CONNECT" ||
                    (request.operation == "UPDATE" && !review->images.empty() &&
                     same_images(review->images, review->old_images) && !snapshot->has_manifest_rules);
  if (!skip) {
    auto deadline = oci::Clock::now() + options_.review_deadline;
    // Registry calls end by the deadline themselves; this timer is the backstop for anything that would
    // not, a moment later so that the engine's own answer (which rule timed out) normally wins.
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline + kBackstopGrace);
    auto raced =
        co_await (policy::evaluate(*snapshot, request, review->images, mode, registry_, deadline, options_.verdicts,
                                    options_.dry_runner) ||
                  timer.async_wait(asio::use_awaitable));
    if (raced.index() == 0)
      decision = std::move(std::get<0>(raced));
    else
      decision = policy::timed_out(*snapshot, request, review->images, mode);
  }

  for (const auto& result : decision.results) {
    metrics_.policy_results.increment(
        {result.policy, result.rule, policy::to_string(result.status), result.enforce ? "enforce" : "audit"});
    if (result.cache_hit) {
      metrics_.verifications.increment(
          {"signature", policy::to_string(result.status), *result.cache_hit ? "hit" : "miss"});
    }
  }
  metrics_.admission_requests.increment({request.operation, request.kind, decision.allowed ? "true" : "false"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.admission_duration.observe(seconds);

  log_admission(*review, decision, mode_name, seconds);
  // /mutate sees the same request as /validate: reported once.
  if (options_.on_decision && mode == policy::Mode::Validate) options_.on_decision(request, decision);
  co_return HttpAnswer{200, "application/json", encode_admission_response(*review, decision), decision.allowed};
}

}  // namespace signet::server
