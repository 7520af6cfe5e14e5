// The TUF client workflow (specification 1.0.x, "detailed client workflow" 5.1–5.7) for one target file:
// rotate the trusted root through N+1.root.json, …; then timestamp → snapshot → targets, each checked for
// signatures, rollback and expiry; then the target by its length and hashes. Signet uses it to refresh
// Sigstore's trusted_root.json from a TUF mirror.
//
// The mirror is a function the caller gives, so the workflow runs (and is tested) without a network.
// Trusted metadata lives in a cache folder, written atomically, so rollback protection survives restarts
// (file I/O: why this lives in server/, while the metadata checks it makes are crypto/tuf_metadata.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"
#include "crypto/tuf_metadata.hpp"

namespace signet::server::tuf {

using crypto::UnixTime;
using namespace crypto::tuf;

// The mirror's answer for `path` (relative to its base: "2.root.json", "timestamp.json",
// "targets/<sha256>.trusted_root.json"): the bytes, std::nullopt when it has no such file (HTTP 404),
// or an error (unreachable, any other status, more than `max_bytes`).
using FetchResult = Result<std::optional<std::string>>;
using Fetch = std::function<FetchResult(const std::string& path, std::size_t max_bytes)>;

struct UpdaterOptions {
  // The folder of the trusted metadata (root.json, timestamp.json, snapshot.json, targets.json) and of the
  // verified targets (targets/<name>); created when missing.
  std::filesystem::path cache_dir;
  // The root to start from when the cache holds none, or an older one (e.g. the root embedded in signet).
  // It is trusted as given (TUF 5.2), expired or not; it must be signed by its own threshold.
  std::string initial_root;
  // Root versions fetched in one update at most: a mirror cannot keep the client rotating forever.
  std::size_t max_root_rotations = 32;
  // Size caps of files whose length no trusted metadata gives (python-tuf's defaults).
  std::size_t max_root_bytes = 512 * 1024;
  std::size_t max_timestamp_bytes = 16 * 1024;
  std::size_t max_snapshot_bytes = 2'000'000;
  std::size_t max_targets_bytes = 5'000'000;
};

// What an update established.
struct UpdateResult {
  std::string target;  // the target's bytes, verified
  std::uint64_t root_version = 0;
  std::uint64_t timestamp_version = 0;
  std::uint64_t snapshot_version = 0;
  std::uint64_t targets_version = 0;
};

class Updater {
 public:
  Updater(UpdaterOptions options, Fetch fetch);

  // Runs the workflow at time `now` (TUF 5.1: one fixed time for every expiry check) and returns the target
  // named `target_name` in the top-level targets (delegations are not followed). Errors name the role, the
  // version and the check that failed; an unreachable mirror is Unavailable, everything else Invalid.
  // Metadata that passed its checks stays cached even when a later step fails.
  Result<UpdateResult> update(std::string_view target_name, UnixTime now);

  // The target as the last successful update left it in the cache, checked against the cached targets
  // metadata and root (signatures, length, hashes; not expiry: an air-gapped restart keeps its last good
  // root). An error when there is none or it does not check.
  Result<std::string> cached_target(std::string_view target_name) const;

 private:
  struct RootFile {
    Metadata metadata;
    std::string bytes;  // as read: what the cache keeps
  };
  Result<RootFile> load_trusted_root() const;
  Result<Metadata> update_root(RootFile start, UnixTime now);
  std::optional<Metadata> load_cached(Role role, const Metadata& root) const;
  Result<std::string> fetch(const std::string& path, std::size_t max_bytes, std::string_view what) const;
  Result<void> store(const std::string& file, std::string_view content) const;

  UpdaterOptions options_;
  Fetch fetch_;
};

}  // namespace signet::server::tuf
