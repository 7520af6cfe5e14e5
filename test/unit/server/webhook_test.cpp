#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/run_sync.hpp"
#include "server/webhook.hpp"

namespace asio = boost::asio;
using namespace signet;

namespace {

// A registry that cannot be reached, or that answers only `delay` after the deadline.
class UnreachableRegistry final : public oci::Registry {
 public:
  explicit UnreachableRegistry(bool hang, std::chrono::milliseconds delay = std::chrono::seconds(30))
      : hang_(hang), delay_(delay) {}
  asio::awaitable<Result<std::string>> resolve_digest(const oci::Reference& image, oci::Pull pull) override {
    if (hang_) {
      asio::steady_timer timer(co_await asio::this_coro::executor, pull.deadline + delay_);
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return Error::unavailable("registry " + image.registry + " is unreachable: connection refused");
  }
  asio::awaitable<Result<std::vector<oci::CosignSignature>>> cosign_signatures(const oci::Reference& image,
                                                                               const std::optional<std::string>&,
                                                                               oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
  asio::awaitable<Result<std::vector<oci::CosignLayer>>> cosign_attestations(const oci::Reference& image,
                                                                             const std::optional<std::string>&,
                                                                             oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
  asio::awaitable<Result<std::vector<oci::CosignLayer>>> artifact_layers(const oci::Reference& image,
                                                                         oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }
  asio::awaitable<Result<std::vector<oci::Referrer>>> referrers(const oci::Reference& image, const std::string&,
                                                                oci::Pull pull) override {
    co_return (co_await resolve_digest(image, pull)).error();
  }

 private:
  bool hang_;
  std::chrono::milliseconds delay_;
};

const char* const kPolicy = R"(apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-signatures
spec:
  validationFailureAction: Enforce
  rules:
    - name: verify-cosign
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["registry.example/*"]
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
                      -----BEGIN PUBLIC KEY-----
                      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOhQjyeDSS+Gp5VJFB6Ak6OOcWQX5
                      mqO2eyV33xNp4LaqKQ4/w1WhuoL4NZXkYIMdiHwZaRvabRlYBDYFZ/15iQ==
                      -----END PUBLIC KEY-----
                    rekor:
                      ignoreTlog: true
)";

std::string pod_review(const std::string& image, const std::string& operation = "CREATE",
                       const std::string& old_image = "") {
  std::string review =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-1","operation":")" +
      operation +
      R"(","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"default","object":{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":")" +
      image + R"("}]}})";
  if (!old_image.empty())
    review +=
        R"(,"oldObject":{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":")" + old_image + R"("}]}})";
  return review + "}}";
}

struct Fixture {
  explicit Fixture(bool hang = false, std::chrono::milliseconds deadline = std::chrono::seconds(8),
                   std::chrono::milliseconds registry_delay = std::chrono::seconds(30))
      : dir(std::filesystem::temp_directory_path() / ("signet-webhook-" + std::to_string(::getpid()))),
        registry(hang, registry_delay) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "policy.yaml") << kPolicy;
    policies = std::make_unique<policy::PolicyStore>(dir);
    auto report = policies->reload(true);
    REQUIRE(report);
    for (const auto& error : report->errors) FAIL(error.to_string());
    webhook = std::make_unique<server::Webhook>(*policies, registry, metrics,
                                                server::WebhookOptions{deadline, nullptr, {}, {}, nullptr});
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  server::HttpAnswer call(std::string method, std::string target, std::string body = "") {
    return server::run_sync<server::HttpAnswer>(io, [&] { return webhook->handle(method, target, body); });
  }

  std::filesystem::path dir;
  UnreachableRegistry registry;
  server::Metrics metrics;
  std::unique_ptr<policy::PolicyStore> policies;
  std::unique_ptr<server::Webhook> webhook;
  asio::io_context io;
};

}  // namespace

TEST_CASE("unknown paths are 404 and wrong methods 405", "[server][webhook]") {
  Fixture f;
  CHECK(f.call("GET", "/nope").status == 404);
  CHECK(f.call("GET", "/validate").status == 405);
  CHECK(f.call("POST", "/healthz").status == 405);
  CHECK(f.call("GET", "/healthz").status == 200);
}

TEST_CASE("readyz waits for the serving certificate as well as the policies", "[server][webhook]") {
  Fixture f;
  auto before = f.call("GET", "/readyz");
  CHECK(before.status == 503);
  CHECK_THAT(before.body, Catch::Contains("serving certificate"));
  f.webhook->set_certificate_loaded(true);
  CHECK(f.call("GET", "/readyz").status == 200);
}

TEST_CASE("a malformed review is answered 400 with the reason", "[server][webhook]") {
  Fixture f;
  auto answer = f.call("POST", "/validate", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})");
  CHECK(answer.status == 400);
  CHECK_THAT(answer.body, Catch::Contains("request is missing"));
}

TEST_CASE("a registry error denies under Enforce, never allows", "[server][webhook]") {
  Fixture f;
  auto answer = f.call("POST", "/validate", pod_review("registry.example/app@sha256:" + std::string(64, 'a')));
  REQUIRE(answer.status == 200);
  REQUIRE(answer.allowed.has_value());
  CHECK_FALSE(*answer.allowed);
  CHECK_THAT(answer.body, Catch::Contains("\"allowed\":false"));
  CHECK_THAT(answer.body, Catch::Contains("check-signatures"));
  CHECK_THAT(answer.body, Catch::Contains("unreachable"));
  CHECK(f.metrics.admission_requests.value({"CREATE", "Pod", "false"}) == 1);
}

TEST_CASE("a registry that hangs past the deadline denies with verification timed out", "[server][webhook]") {
  Fixture f(true, std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  auto answer = f.call("POST", "/validate", pod_review("registry.example/app@sha256:" + std::string(64, 'b')));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  REQUIRE(answer.allowed.has_value());
  CHECK_FALSE(*answer.allowed);
  CHECK_THAT(answer.body, Catch::Contains("verification timed out"));
}

TEST_CASE("images no rule selects, DELETEs and unchanged UPDATEs are allowed without the registry",
          "[server][webhook]") {
  Fixture f;
  auto other = f.call("POST", "/validate", pod_review("elsewhere.example/app:v1"));
  CHECK(other.allowed == std::optional<bool>(true));
  auto unchanged =
      f.call("POST", "/validate", pod_review("registry.example/app:v1", "UPDATE", "registry.example/app:v1"));
  CHECK(unchanged.allowed == std::optional<bool>(true));
  auto changed =
      f.call("POST", "/validate", pod_review("registry.example/app:v2", "UPDATE", "registry.example/app:v1"));
  CHECK(changed.allowed == std::optional<bool>(false));
}

TEST_CASE("reviews whose verification ends just as the deadline cancels it are answered, never crash",
          "[server][webhook]") {
  // The registry answers at the very moment the backstop timer fires (deadline + 250 ms), on a server-like
  // set-up: several threads, each review on its own strand. Cancelling a coroutine that is finishing must
  // be safe.
  for (auto delay : {std::chrono::milliseconds(249), std::chrono::milliseconds(250), std::chrono::milliseconds(251)}) {
    Fixture f(true, std::chrono::milliseconds(20), delay);
    const std::string body = pod_review("registry.example/app@sha256:" + std::string(64, 'c'));
    std::atomic<int> denied{0};
    constexpr int kReviews = 200;
    for (int i = 0; i < kReviews; ++i) {
      asio::co_spawn(asio::make_strand(f.io), f.webhook->handle("POST", "/validate", body),
                     [&denied](std::exception_ptr e, server::HttpAnswer answer) {
                       if (!e && answer.allowed == std::optional<bool>(false)) ++denied;
                     });
    }
    std::thread helper([&f] { f.io.run(); });
    f.io.run();
    helper.join();
    CHECK(denied == kReviews);
  }
}
