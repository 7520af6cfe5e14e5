// Verdicts remembered per (image, rule entry): an image pinned to a digest and verified against a
// verifyImages entry whose fingerprint covers everything that decides the outcome. Passes are kept long,
// definitive failures briefly (a signature may be pushed any moment), errors never. Concurrent
// admissions that need the same verdict wait for one verification.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"
#include "oci/single_flight.hpp"
#include "oci/ttl_cache.hpp"

namespace signet::policy {

struct VerdictCacheOptions {
  std::size_t max_entries = 100000;  // 0 turns the cache off
  std::chrono::seconds pass_ttl{600};
  std::chrono::seconds failure_ttl{30};
};

// A definitive outcome: passed, or failed with the reason.
struct Verdict {
  bool passed = false;
  std::string message;
};

class VerdictCache {
 public:
  explicit VerdictCache(VerdictCacheOptions options = {});

  // The key of `image` (name and digest: signatures live beside the image, so the repository matters)
  // under the entry with `fingerprint`.
  static std::string key(const oci::Reference& image, const std::string& digest, const std::string& fingerprint);

  struct Outcome {
    Result<void> result;  // Invalid for a failure, Unavailable for an error
    bool cached = false;  // answered from the cache
  };

  // The verdict for `key`: remembered, or `verify()` (a callable returning awaitable<Result<void>>) run
  // once for every concurrent caller and remembered unless it was an Unavailable error.
  template <class Verify>
  boost::asio::awaitable<Outcome> verify(const std::string& key, oci::Deadline deadline, Verify verify) {
    if (auto hit = verdicts_.get(key)) co_return Outcome{to_result(*hit), true};
    auto shared = co_await flights_.run(key, deadline, [&]() -> boost::asio::awaitable<Result<Verdict>> {
      Result<void> result = co_await verify();
      if (!result.ok() && result.error().kind == Error::Kind::Unavailable) co_return result.error();
      Verdict verdict{result.ok(), result.ok() ? "" : result.error().message};
      remember(key, verdict);
      co_return verdict;
    });
    if (!shared) co_return Outcome{shared.error(), false};
    co_return Outcome{to_result(*shared), false};
  }

  oci::CacheStats stats() const { return verdicts_.stats(); }
  std::size_t in_flight() const { return flights_.in_flight(); }

 private:
  static Result<void> to_result(const Verdict& verdict);
  void remember(const std::string& key, const Verdict& verdict);

  VerdictCacheOptions options_;
  oci::TtlCache<Verdict> verdicts_;
  oci::SingleFlight<Verdict> flights_;
};

}  // namespace signet::policy
