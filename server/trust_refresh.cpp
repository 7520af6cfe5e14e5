#include "server/trust_refresh.hpp"

#include <boost/asio/io_context.hpp>

#include "server/log.hpp"
#include "server/run_sync.hpp"

namespace signet::server {
namespace {

boost::asio::awaitable<std::optional<Result<oci::HttpResponse>>> send(oci::HttpTransport& transport,
                                                                      const oci::HttpRequest& request,
                                                                      oci::Deadline deadline) {
  co_return co_await transport.send(request, deadline);
}

// One io_context and transport for every fetch of one refresher, so keep-alive connections are reused.
struct MirrorClient {
  boost::asio::io_context io;
  oci::HttpTransport transport;
  oci::Url base;
  std::chrono::milliseconds timeout;

  MirrorClient(oci::HttpTransportOptions options, oci::Url base_url, std::chrono::milliseconds timeout_)
      : transport(io.get_executor(), std::move(options)), base(std::move(base_url)), timeout(timeout_) {}

  tuf::FetchResult get(const std::string& path, std::size_t max_bytes) {
    oci::HttpRequest request;
    request.url = base;
    if (!request.url.target.ends_with("/")) request.url.target += "/";
    request.url.target += path;
    request.body_limit = max_bytes;
    request.body_limit_name = "the size the TUF metadata allows for " + path;
    // run_sync needs a default-constructible value: Result has none, an optional does.
    auto answer = run_sync<std::optional<Result<oci::HttpResponse>>>(
        io, [&] { return send(transport, request, oci::Clock::now() + timeout); });
    Result<oci::HttpResponse>& response = *answer;
    if (!response) return response.error();
    if (response->status == 404 || response->status == 403) return std::optional<std::string>();
    if (response->status != 200) {
      return Error::unavailable("TUF mirror " + request.url.str() + " answered HTTP " +
                                std::to_string(response->status));
    }
    return std::optional<std::string>(std::move(response->body));
  }
};

tuf::UpdaterOptions updater_options(const TrustRefreshOptions& options) {
  tuf::UpdaterOptions out;
  out.cache_dir = options.cache_dir;
  out.initial_root = options.initial_root;
  return out;
}

}  // namespace

Result<tuf::Fetch> http_mirror_fetch(const std::string& base_url, oci::HttpTransportOptions options,
                                             std::chrono::milliseconds timeout) {
  auto url = oci::parse_url(base_url);
  if (!url) return url.error().context("--tuf-mirror " + base_url);
  if (url->scheme == "http") options.insecure_hosts.push_back(url->authority());
  auto client = std::make_shared<MirrorClient>(std::move(options), std::move(*url), timeout);
  if (auto ready = client->transport.ready(); !ready) return ready.error();
  return tuf::Fetch(
      [client](const std::string& path, std::size_t max_bytes) { return client->get(path, max_bytes); });
}

UnixClock TrustRefresher::system_clock() {
  return [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); };
}

TrustRefresher::TrustRefresher(TrustRefreshOptions options, tuf::Fetch fetch, ApplyTrustedRoot apply,
                               UnixClock clock)
    : options_(std::move(options)),
      updater_(updater_options(options_), std::move(fetch)),
      apply_(std::move(apply)),
      clock_(std::move(clock)) {}

TrustRefresher::~TrustRefresher() { stop(); }

Result<void> TrustRefresher::apply_cached() {
  auto cached = updater_.cached_target(options_.target);
  if (!cached) return cached.error();
  return apply_(*cached);
}

Result<tuf::UpdateResult> TrustRefresher::refresh_once() {
  auto updated = updater_.update(options_.target, clock_());
  if (!updated) return updated.error();
  if (auto applied = apply_(updated->target); !applied)
    return applied.error().context(options_.target + " of targets version " + std::to_string(updated->targets_version));
  return updated;
}

void TrustRefresher::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void TrustRefresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TrustRefresher::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto result = refresh_once();
    if (result) {
      log(Level::Info, "trusted root refreshed from the TUF mirror (root version " +
                           std::to_string(result->root_version) + ", targets version " +
                           std::to_string(result->targets_version) + ")");
    } else {
      log(Level::Error,
          "TUF refresh of the trusted root failed; keeping the trusted root in force: " + result.error().message);
    }
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

}  // namespace signet::server
