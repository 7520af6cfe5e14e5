// The verdict cache as the engine uses it: verdicts reused per (image digest, entry fingerprint), passes
// and failures for their TTLs, errors never, useCache honoured, and one verification for a herd.
#include <thread>

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "engine_test_support.hpp"
#include "policy/loader/fingerprint.hpp"

using namespace signet;
using namespace signet::policy;
using namespace signet::policy::test;

namespace {

const TestKey& signer() {
  static const TestKey key = TestKey::ec_p256();
  return key;
}
const TestKey& stranger() {
  static const TestKey key = TestKey::ec_p256();
  return key;
}

FakeRegistry signed_registry() {
  FakeRegistry r;
  r.add_image(kApp, "v1", kDigestV1);
  r.sign(kApp, kDigestV1, signature_by(signer(), payload_for(kApp, kDigestV1)));
  return r;
}

// A policy as the loader makes it: the entry carries its fingerprint.
PolicySet policy_trusting(const TestKey& key, bool use_cache = true, std::vector<std::string> secrets = {}) {
  ImageVerification entry = verify_entry({"127.0.0.1:5000/*"}, {attestor_set({key_attestor({&key})})});
  entry.use_cache = use_cache;
  if (!secrets.empty()) entry.image_registry_credentials = ImageRegistryCredentials{false, {}, std::move(secrets)};
  entry.fingerprint = loader::fingerprint_of(entry);
  PolicySet set;
  set.policies.push_back(pod_policy({entry}));
  return set;
}

const RuleResult& only(const Decision& d) {
  REQUIRE(d.results.size() == 1);
  return d.results.front();
}

Decision check(const PolicySet& set, FakeRegistry& registry, VerdictCache& verdicts,
               const std::string& image = kPinned) {
  return run(set, pod_request(), images_of({image}), Mode::Validate, registry,
             oci::Clock::now() + std::chrono::seconds(10), &verdicts);
}

}  // namespace

TEST_CASE("a pass is reused for the same image and entry without reading the registry", "[policy][verdicts]") {
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts;
  const PolicySet set = policy_trusting(signer());

  const auto first = check(set, registry, verdicts);
  CHECK(first.allowed);
  CHECK(only(first).cache_hit == false);
  const auto second = check(set, registry, verdicts);
  CHECK(second.allowed);
  CHECK(only(second).cache_hit == true);
  CHECK(only(second).digest == kDigestV1);
  CHECK(registry.signature_requests.size() == 1);
  CHECK(verdicts.stats().entries == 1);
  CHECK(verdicts.stats().hits == 1);
}

TEST_CASE("an edited policy never reuses a verdict made under the old text", "[policy][verdicts]") {
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts;
  CHECK(check(policy_trusting(signer()), registry, verdicts).allowed);
  // The same rule now trusts another key: the old pass must not answer.
  const auto edited = check(policy_trusting(stranger()), registry, verdicts);
  CHECK_FALSE(edited.allowed);
  CHECK(only(edited).cache_hit == false);
  CHECK(registry.signature_requests.size() == 2);
}

TEST_CASE("the same digest in another repository is verified on its own", "[policy][verdicts]") {
  // Signatures live beside the image: a pass for one repository says nothing of another.
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts;
  const PolicySet set = policy_trusting(signer());
  CHECK(check(set, registry, verdicts).allowed);
  const auto copy = check(set, registry, verdicts, "127.0.0.1:5000/copy@" + kDigestV1);
  CHECK_FALSE(copy.allowed);
  CHECK(only(copy).cache_hit == false);
}

TEST_CASE("failures are reused for their shorter time, errors never", "[policy][verdicts]") {
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts({1000, std::chrono::seconds(600), std::chrono::seconds(1)});
  const PolicySet set = policy_trusting(stranger());

  CHECK(only(check(set, registry, verdicts)).status == RuleStatus::Fail);
  const auto again = check(set, registry, verdicts);
  CHECK(only(again).status == RuleStatus::Fail);
  CHECK(only(again).cache_hit == true);
  CHECK_THAT(only(again).message, Catch::Contains("no signature"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(only(check(set, registry, verdicts)).cache_hit == false);
  CHECK(registry.signature_requests.size() == 2);

  // A registry error is not a verdict: the next admission asks again.
  FakeRegistry down = signed_registry();
  down.failure = Error::unavailable("connection refused");
  const PolicySet trusting = policy_trusting(signer());
  CHECK(only(check(trusting, down, verdicts)).status == RuleStatus::Error);
  CHECK(only(check(trusting, down, verdicts)).cache_hit == false);
  CHECK(down.signature_requests.size() == 2);
  down.failure.reset();
  CHECK(check(trusting, down, verdicts).allowed);
}

TEST_CASE("a pass expires after its time", "[policy][verdicts]") {
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts({1000, std::chrono::seconds(1), std::chrono::seconds(1)});
  const PolicySet set = policy_trusting(signer());
  CHECK(check(set, registry, verdicts).allowed);
  CHECK(only(check(set, registry, verdicts)).cache_hit == true);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(only(check(set, registry, verdicts)).cache_hit == false);
  CHECK(registry.signature_requests.size() == 2);
}

TEST_CASE("useCache: false verifies every time", "[policy][verdicts]") {
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts;
  const PolicySet set = policy_trusting(signer(), false);
  CHECK(check(set, registry, verdicts).allowed);
  CHECK(check(set, registry, verdicts).allowed);
  CHECK(registry.signature_requests.size() == 2);
  CHECK(verdicts.stats().entries == 0);
}

TEST_CASE("an entry's registry secrets are used for its reads and set its verdicts apart", "[policy][verdicts]") {
  FakeRegistry registry = signed_registry();
  VerdictCache verdicts;
  CHECK(check(policy_trusting(signer(), true, {"regcred"}), registry, verdicts).allowed);
  REQUIRE(registry.secrets_used.size() == 1);
  CHECK(registry.secrets_used[0] == std::vector<std::string>{"regcred"});
  CHECK(only(check(policy_trusting(signer()), registry, verdicts)).cache_hit == false);
  CHECK(registry.secrets_used.back().empty());
}

TEST_CASE("200 concurrent admissions of one uncached image cause one verification", "[policy][verdicts][herd]") {
  FakeRegistry registry = signed_registry();
  registry.delay = std::chrono::milliseconds(50);
  VerdictCache verdicts;
  const PolicySet set = policy_trusting(signer());
  const auto request = pod_request();
  const auto images = images_of({kPinned});

  boost::asio::io_context io;
  int allowed = 0;
  for (int i = 0; i < 200; ++i) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          auto d = co_await evaluate(set, request, images, Mode::Validate, registry,
                                     oci::Clock::now() + std::chrono::seconds(10), &verdicts);
          if (d.allowed) ++allowed;
        },
        boost::asio::detached);
  }
  io.run();
  CHECK(allowed == 200);
  CHECK(registry.signature_requests.size() == 1);
  CHECK(verdicts.in_flight() == 0);
}

TEST_CASE("a waiter whose leader is cancelled verifies by itself", "[policy][verdicts][herd]") {
  using namespace boost::asio::experimental::awaitable_operators;
  FakeRegistry registry = signed_registry();
  registry.delay = std::chrono::milliseconds(200);
  VerdictCache verdicts;
  const PolicySet set = policy_trusting(signer());
  const auto request = pod_request();
  const auto images = images_of({kPinned});
  const auto deadline = oci::Clock::now() + std::chrono::seconds(10);

  boost::asio::io_context io;
  bool leader_cancelled = false;
  std::optional<Decision> waiter;
  // The leader is cancelled mid-read, as the webhook's backstop timer does; the waiter takes over.
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer backstop(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(50));
        auto raced = co_await (evaluate(set, request, images, Mode::Validate, registry, deadline, &verdicts) ||
                               backstop.async_wait(boost::asio::use_awaitable));
        leader_cancelled = raced.index() == 1;
      },
      boost::asio::detached);
  boost::asio::co_spawn(io, evaluate(set, request, images, Mode::Validate, registry, deadline, &verdicts),
                        [&](std::exception_ptr, Decision d) { waiter = std::move(d); });
  io.run();
  CHECK(leader_cancelled);
  REQUIRE(waiter);
  CHECK(waiter->allowed);
  CHECK(registry.signature_requests.size() == 2);  // the abandoned read, and the waiter's own
  CHECK(verdicts.in_flight() == 0);
}
