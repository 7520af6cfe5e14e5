// Keeping the process's sigstore trusted root fresh from a TUF mirror (`signet serve --tuf-mirror URL`):
// a background thread runs the TUF client (server/tuf_updater.hpp) at start-up and then every interval,
// and hands each verified trusted_root.json to the caller, which swaps it in. A failed refresh is logged
// and keeps the root in force: the webhook must run air-gapped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "crypto/result.hpp"
#include "server/tuf_updater.hpp"
#include "oci/http_transport.hpp"

namespace signet::server {

// Fetches paths below `base_url` (e.g. "https://tuf-repo-cdn.sigstore.dev") with an HttpTransport of its
// own, each within `timeout`: 200 is the body, 404 (and 403, which S3-style mirrors answer for a missing
// object) is "not found", any other status an Unavailable error. An http:// base is allowed: TUF metadata
// is signed, the transport need not be trusted. Call it from one thread at a time.
Result<tuf::Fetch> http_mirror_fetch(const std::string& base_url, oci::HttpTransportOptions options,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct TrustRefreshOptions {
  std::filesystem::path cache_dir;
  std::string initial_root;  // the TUF root.json to start from (signet's embedded one by default)
  std::chrono::seconds interval{std::chrono::hours(24)};
  std::string target = "trusted_root.json";
};

// Takes a verified trusted_root.json into use, or says why it cannot (it does not parse).
using ApplyTrustedRoot = std::function<Result<void>(const std::string& trusted_root_json)>;
using UnixClock = std::function<crypto::UnixTime()>;

class TrustRefresher {
 public:
  TrustRefresher(TrustRefreshOptions options, tuf::Fetch fetch, ApplyTrustedRoot apply,
                 UnixClock clock = system_clock());
  ~TrustRefresher();  // stops the thread
  TrustRefresher(const TrustRefresher&) = delete;
  TrustRefresher& operator=(const TrustRefresher&) = delete;

  // The target a previous run verified into the cache, applied (start-up, before any network).
  Result<void> apply_cached();
  // One refresh now, applied when it succeeds; the error says which TUF check or fetch failed.
  Result<tuf::UpdateResult> refresh_once();
  // Refreshes now and then every interval on a thread of its own, logging each outcome, until stop().
  void start();
  void stop();

  static UnixClock system_clock();

 private:
  void run();

  TrustRefreshOptions options_;
  tuf::Updater updater_;
  ApplyTrustedRoot apply_;
  UnixClock clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace signet::server
