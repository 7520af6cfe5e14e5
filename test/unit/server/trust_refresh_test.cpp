// The trusted root refreshed from a TUF mirror over HTTP: a repository signed by test/support/tuf_repo.py
// (securesystemslib), served by python3's http.server on loopback.
#include "server/trust_refresh.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "../oci/test_registry.hpp"

using namespace signet;
using namespace signet::server;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The scenarios of tuf_repo.py, written once per test run.
const test::TempDir& repositories() {
  static test::TempDir dir;
  static bool written = (test::run_ok(test::support_command("tuf_repo.py", {dir.path()})), true);
  REQUIRE(written);
  return dir;
}

struct HttpMirror {
  int port = test::free_port();
  test::ChildProcess server;
  explicit HttpMirror(const std::string& dir)
      : server({"/usr/bin/python3", "-m", "http.server", std::to_string(port), "--bind", "127.0.0.1", "--directory",
                dir}) {
    test::wait_for_port(port);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// Collects what the refresher applies.
struct Applied {
  std::mutex mutex;
  std::vector<std::string> roots;
  ApplyTrustedRoot apply() {
    return [this](const std::string& json) -> Result<void> {
      std::lock_guard lock(mutex);
      roots.push_back(json);
      return success();
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return roots.size();
  }
};

TrustRefreshOptions options_for(const test::TempDir& cache) {
  TrustRefreshOptions options;
  options.cache_dir = cache / "tuf";
  options.initial_root = slurp(repositories() / "happy/1.root.json");
  return options;
}

}  // namespace

TEST_CASE("the trusted root is refreshed from a TUF mirror over HTTP and applied", "[server][tuf]") {
  HttpMirror mirror(repositories() / "happy");
  test::TempDir cache;
  auto fetch = http_mirror_fetch(mirror.url(), {});
  REQUIRE(fetch.ok());
  Applied applied;
  TrustRefresher refresher(options_for(cache), *fetch, applied.apply());
  auto result = refresher.refresh_once();
  REQUIRE(result.ok());
  CHECK(result->root_version == 3);
  REQUIRE(applied.count() == 1);
  CHECK(applied.roots.front() == slurp(repositories() / "target.json"));
}

TEST_CASE("a mirror that cannot be reached keeps the cached trusted root", "[server][tuf]") {
  test::TempDir cache;
  {
    HttpMirror mirror(repositories() / "happy");
    Applied first;
    TrustRefresher refresher(options_for(cache), http_mirror_fetch(mirror.url(), {}).value(), first.apply());
    REQUIRE(refresher.refresh_once().ok());
  }
  Applied applied;
  TrustRefresher offline(
      options_for(cache),
      http_mirror_fetch("http://127.0.0.1:" + std::to_string(test::free_port()), {}, std::chrono::seconds(2)).value(),
      applied.apply());
  auto refreshed = offline.refresh_once();
  REQUIRE_FALSE(refreshed.ok());
  CHECK(refreshed.error().kind == Error::Kind::Unavailable);
  CHECK(applied.count() == 0);
  REQUIRE(offline.apply_cached().ok());
  REQUIRE(applied.count() == 1);
  CHECK(applied.roots.front() == slurp(repositories() / "target.json"));
}

TEST_CASE("without a cache, start-up has no TUF root to apply", "[server][tuf]") {
  test::TempDir cache;
  Applied applied;
  TrustRefresher refresher(
      options_for(cache),
      [](const std::string&, std::size_t) -> tuf::FetchResult { return Error::unavailable("offline"); },
      applied.apply());
  auto cached = refresher.apply_cached();
  REQUIRE_FALSE(cached.ok());
  CHECK_THAT(cached.error().message, Catch::Contains("holds no root.json"));
  CHECK(applied.count() == 0);
}

TEST_CASE("a mirror serving a rolled-back timestamp is refused over HTTP", "[server][tuf]") {
  test::TempDir cache;
  Applied applied;
  {
    HttpMirror mirror(repositories() / "rollback_new");
    TrustRefresher refresher(options_for(cache), http_mirror_fetch(mirror.url(), {}).value(), applied.apply());
    REQUIRE(refresher.refresh_once().ok());
  }
  HttpMirror stale(repositories() / "rollback_timestamp");
  TrustRefresher refresher(options_for(cache), http_mirror_fetch(stale.url(), {}).value(), applied.apply());
  auto result = refresher.refresh_once();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("older than the trusted timestamp version 2"));
  CHECK(applied.count() == 1);
}

TEST_CASE("a target the caller refuses to apply fails the refresh, naming the targets version", "[server][tuf]") {
  HttpMirror mirror(repositories() / "happy");
  test::TempDir cache;
  TrustRefresher refresher(options_for(cache), http_mirror_fetch(mirror.url(), {}).value(),
                           [](const std::string&) -> Result<void> { return Error::invalid("tlogs[0]: no key"); });
  auto result = refresher.refresh_once();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("trusted_root.json of targets version 1: tlogs[0]: no key"));
}

TEST_CASE("the background refresher applies a root at start and stops promptly", "[server][tuf]") {
  HttpMirror mirror(repositories() / "happy");
  test::TempDir cache;
  Applied applied;
  TrustRefresher refresher(options_for(cache), http_mirror_fetch(mirror.url(), {}).value(), applied.apply());
  refresher.start();
  for (int i = 0; i < 200 && applied.count() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto stopping = std::chrono::steady_clock::now();
  refresher.stop();
  CHECK(applied.count() == 1);
  CHECK(std::chrono::steady_clock::now() - stopping < std::chrono::seconds(2));
}

TEST_CASE("a mirror URL that is not http or https is refused", "[server][tuf]") {
  auto fetch = http_mirror_fetch("ftp://mirror.example", {});
  REQUIRE_FALSE(fetch.ok());
  CHECK_THAT(fetch.error().message, Catch::Contains("--tuf-mirror ftp://mirror.example"));
}
