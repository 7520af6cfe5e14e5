// The TUF client against signed_repositories that test/support/tuf_repo.py signs with securesystemslib.
#include "server/tuf_updater.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

using namespace signet;
using namespace signet::crypto;
using namespace signet::crypto::tuf;
using namespace signet::server::tuf;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct TempFolder {
  fs::path path;
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "signet-tuf-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The scenarios of tuf_repo.py, written once per test run.
const fs::path& signed_repositories() {
  static TempFolder folder;
  static bool written = [] {
    std::string command =
        "/usr/bin/python3 '" SIGNET_SOURCE_DIR "/test/support/tuf_repo.py' '" + folder.path.string() + "'";
    return std::system(command.c_str()) == 0;
  }();
  REQUIRE(written);
  return folder.path;
}

struct Mirror {
  fs::path dir;
  std::vector<std::string> fetched;

  Fetch fetch() {
    return [this](const std::string& path, std::size_t) -> FetchResult {
      fetched.push_back(path);
      auto content = slurp(dir / path);
      if (!content) return std::optional<std::string>();
      return std::optional<std::string>(std::move(*content));
    };
  }
  bool asked_for(const std::string& path) const {
    return std::find(fetched.begin(), fetched.end(), path) != fetched.end();
  }
};

const UnixTime kNow = parse_tuf_time("2030-01-01T00:00:00Z").value();

struct Client {
  Mirror mirror;
  Updater updater;
  Client(const std::string& scenario, const fs::path& cache, UpdaterOptions options = {})
      : mirror{signed_repositories() / scenario, {}},
        updater(with(std::move(options), scenario, cache), mirror.fetch()) {}

  static UpdaterOptions with(UpdaterOptions options, const std::string& scenario, const fs::path& cache) {
    options.cache_dir = cache;
    options.initial_root = slurp(signed_repositories() / scenario / "1.root.json").value();
    return options;
  }
  Result<UpdateResult> update(UnixTime now = kNow) { return updater.update("trusted_root.json", now); }
};

std::string target() { return slurp(signed_repositories() / "target.json").value(); }

std::string failure(const std::string& scenario) {
  TempFolder cache;
  Client client(scenario, cache.path);
  auto result = client.update();
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

}  // namespace

TEST_CASE("the client rotates root 1 to 3 and fetches the target by its hash", "[crypto][tuf]") {
  TempFolder cache;
  Client client("happy", cache.path);
  auto result = client.update();
  REQUIRE(result.ok());
  CHECK(result->target == target());
  CHECK(result->root_version == 3);
  CHECK(result->timestamp_version == 1);
  CHECK(result->targets_version == 1);
  CHECK(client.mirror.fetched.front() == "2.root.json");
  CHECK(client.mirror.asked_for("3.root.json"));
  CHECK(client.mirror.asked_for("4.root.json"));
  CHECK(client.mirror.asked_for("1.snapshot.json"));
  CHECK(client.mirror.asked_for("1.targets.json"));
  CHECK(client.mirror.fetched.back().starts_with("targets/"));
  CHECK(client.mirror.fetched.back().ends_with(".trusted_root.json"));

  auto cached_root = parse_metadata(slurp(cache.path / "root.json").value(), Role::Root);
  REQUIRE(cached_root.ok());
  CHECK(cached_root->version == 3);
  CHECK(slurp(cache.path / "targets" / "trusted_root.json") == target());
  CHECK(client.updater.cached_target("trusted_root.json").value() == target());
}

TEST_CASE("a restarted client starts from the cached root and reuses the cached target", "[crypto][tuf]") {
  TempFolder cache;
  REQUIRE(Client("happy", cache.path).update().ok());
  Client again("happy", cache.path);
  auto result = again.update();
  REQUIRE(result.ok());
  CHECK(result->target == target());
  CHECK(again.mirror.fetched.front() == "4.root.json");
  CHECK_FALSE(again.mirror.fetched.back().starts_with("targets/"));
}

TEST_CASE("without consistent snapshots the client fetches unversioned paths", "[crypto][tuf]") {
  TempFolder cache;
  Client client("plain", cache.path);
  auto result = client.update();
  REQUIRE(result.ok());
  CHECK(result->target == target());
  CHECK(client.mirror.asked_for("snapshot.json"));
  CHECK(client.mirror.asked_for("targets.json"));
  CHECK(client.mirror.asked_for("targets/trusted_root.json"));
}

TEST_CASE("a new root signed by fewer than the previous root's threshold is refused", "[crypto][tuf]") {
  CHECK_THAT(failure("below_threshold"),
             Catch::Contains("root version 2 is signed by 1 of the 2 root keys that root version 1 requires"));
}

TEST_CASE("a new root not signed by a threshold of its own keys is refused", "[crypto][tuf]") {
  auto message = failure("not_self_signed");
  CHECK_THAT(message, Catch::Contains("must be signed by its own keys"));
  CHECK_THAT(message, Catch::Contains("root version 2 is signed by 1 of the 2 root keys that root version 2 requires"));
}

TEST_CASE("a root that skips a version is refused", "[crypto][tuf]") {
  CHECK_THAT(failure("version_skip"), Catch::Contains("2.root.json holds root version 3, expected version 2"));
}

TEST_CASE("an expired final root is refused, though the roots before it were accepted", "[crypto][tuf]") {
  TempFolder cache;
  Client client("expired_root", cache.path);
  auto result = client.update();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("root version 3 expired at 2021-01-01T00:00:00Z"));
  CHECK_FALSE(client.mirror.asked_for("timestamp.json"));
}

TEST_CASE("the same repository is refused once its root has expired", "[crypto][tuf]") {
  TempFolder cache;
  auto result = Client("happy", cache.path).update(parse_tuf_time("2100-01-01T00:00:00Z").value());
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("root version 3 expired"));
}

TEST_CASE("an expired timestamp is refused", "[crypto][tuf]") {
  CHECK_THAT(failure("expired_timestamp"), Catch::Contains("timestamp version 1 expired at 2021-01-01T00:00:00Z"));
}

TEST_CASE("a timestamp older than the cached one is a rollback, after a restart too", "[crypto][tuf]") {
  TempFolder cache;
  REQUIRE(Client("rollback_new", cache.path).update().ok());
  auto result = Client("rollback_timestamp", cache.path).update();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message,
             Catch::Contains("timestamp version 1 is older than the trusted timestamp version 2 (a rollback"));
}

TEST_CASE("a timestamp naming an older snapshot than the cached timestamp does is a rollback", "[crypto][tuf]") {
  TempFolder cache;
  REQUIRE(Client("rollback_new", cache.path).update().ok());
  auto result = Client("rollback_snapshot", cache.path).update();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("timestamp version 3 names snapshot version 1, older than the "
                                                     "trusted timestamp version 2's 2"));
}

TEST_CASE("a snapshot naming older targets than the cached snapshot does is a rollback", "[crypto][tuf]") {
  TempFolder cache;
  REQUIRE(Client("rollback_new", cache.path).update().ok());
  auto result = Client("snapshot_drops", cache.path).update();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message,
             Catch::Contains("snapshot version 3 names targets.json version 1, older than the trusted snapshot "
                             "version 2's 2"));
}

TEST_CASE("a target whose hash differs from the targets metadata is refused and not cached", "[crypto][tuf]") {
  TempFolder cache;
  Client client("target_hash", cache.path);
  auto result = client.update();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("target trusted_root.json as targets version 1 lists it: sha"));
  CHECK_FALSE(fs::exists(cache.path / "targets" / "trusted_root.json"));
  CHECK_FALSE(client.updater.cached_target("trusted_root.json").ok());
}

TEST_CASE("a target longer than the targets metadata says is refused", "[crypto][tuf]") {
  CHECK_THAT(failure("target_long"), Catch::Contains("(targets/"));
  CHECK_THAT(failure("target_long"), Catch::Contains("is larger than " + std::to_string(target().size()) + " bytes"));
}

TEST_CASE("targets metadata that differs from the snapshot's hashes is refused", "[crypto][tuf]") {
  CHECK_THAT(failure("targets_tampered"), Catch::Contains("targets.json as snapshot version 1 lists it"));
}

TEST_CASE("a mirror answering garbage is refused with the role it was asked for", "[crypto][tuf]") {
  CHECK_THAT(failure("garbage"), Catch::Contains("timestamp metadata is not JSON"));
}

TEST_CASE("an unreachable mirror is an Unavailable error naming what was fetched", "[crypto][tuf]") {
  TempFolder cache;
  UpdaterOptions options;
  options.cache_dir = cache.path;
  options.initial_root = slurp(signed_repositories() / "happy" / "1.root.json").value();
  Updater updater(options, [](const std::string&, std::size_t) -> FetchResult {
    return Error::unavailable("connection refused by 127.0.0.1:1");
  });
  auto result = updater.update("trusted_root.json", kNow);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == Error::Kind::Unavailable);
  CHECK_THAT(result.error().message, Catch::Contains("fetching root version 2: connection refused"));
}

TEST_CASE("a mirror with more root versions than the rotation cap is refused", "[crypto][tuf]") {
  TempFolder cache;
  UpdaterOptions options;
  options.max_root_rotations = 1;
  auto result = Client("happy", cache.path, options).update();
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("more than 1 root versions after root version 2"));
}

TEST_CASE("a target the targets metadata does not list is an error naming it", "[crypto][tuf]") {
  TempFolder cache;
  Client client("happy", cache.path);
  auto result = client.updater.update("ctfe.pub", kNow);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("targets version 1 lists no target \"ctfe.pub\""));
}

TEST_CASE("a cached target edited on disk is not trusted", "[crypto][tuf]") {
  TempFolder cache;
  Client client("happy", cache.path);
  REQUIRE(client.update().ok());
  std::ofstream(cache.path / "targets" / "trusted_root.json", std::ios::binary) << "{}";
  auto cached = client.updater.cached_target("trusted_root.json");
  REQUIRE_FALSE(cached.ok());
  CHECK_THAT(cached.error().message, Catch::Contains("the cached trusted_root.json"));
  // The next update fetches it again rather than serving the edited copy.
  auto again = client.update();
  REQUIRE(again.ok());
  CHECK(again->target == target());
}

TEST_CASE("an initial root that is not signed by its own threshold is refused", "[crypto][tuf]") {
  TempFolder cache;
  UpdaterOptions options;
  options.cache_dir = cache.path;
  options.initial_root = slurp(signed_repositories() / "below_threshold" / "2.root.json").value();
  Updater updater(options, [](const std::string&, std::size_t) -> FetchResult { return std::optional<std::string>(); });
  auto result = updater.update("trusted_root.json", kNow);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("the initial TUF root: root version 2 is signed by 1 of the 2"));
}
