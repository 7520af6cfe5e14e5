#include "server/tuf_updater.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/encoding.hpp"

namespace signet::server::tuf {
namespace {

namespace fs = std::filesystem;

std::string metadata_file(Role role) { return std::string(to_string(role)) + ".json"; }

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return content.str();
}

// Written to a temporary file, flushed to disk and renamed over the old one: a crash leaves the old file
// or the new one, never half of one (which would cost the rollback protection it holds).
Result<void> write_atomically(const fs::path& path, std::string_view content) {
  fs::path temporary = path;
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::invalid("cannot write " + temporary.string() + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      return Error::invalid("cannot write " + temporary.string() + ": " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return Error::invalid("cannot write " + temporary.string() + ": " + std::strerror(errno));
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return Error::invalid("cannot replace " + path.string() + ": " + ec.message());
  return success();
}

// A target's file in the cache: its name must not walk out of the folder.
Result<fs::path> target_cache_path(const fs::path& cache_dir, std::string_view name) {
  if (name.empty() || name.find('/') != std::string_view::npos || name.front() == '.')
    return Error::invalid("target name \"" + std::string(name) + "\" cannot be cached (it must be a plain file name)");
  return cache_dir / "targets" / std::string(name);
}

// The one the spec's "new" metadata may not fall below: versions never go back (TUF 5.4.3, 5.5.5).
Result<void> check_not_older(const Metadata& trusted, const Metadata& fresh) {
  if (fresh.version >= trusted.version) return success();
  return Error::invalid(fresh.name() + " is older than the trusted " + trusted.name() +
                        " (a rollback: the mirror serves stale metadata)");
}

}  // namespace

Updater::Updater(UpdaterOptions options, Fetch fetch) : options_(std::move(options)), fetch_(std::move(fetch)) {}

Result<std::string> Updater::fetch(const std::string& path, std::size_t max_bytes, std::string_view what) const {
  auto answer = fetch_(path, max_bytes);
  if (!answer) return answer.error().context("fetching " + std::string(what) + " (" + path + ")");
  if (!*answer) return Error::invalid(std::string(what) + " is not on the mirror (" + path + " not found)");
  if ((*answer)->size() > max_bytes) {
    return Error::invalid(std::string(what) + " (" + path + ") is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return std::move(**answer);
}

Result<void> Updater::store(const std::string& file, std::string_view content) const {
  std::error_code ec;
  fs::create_directories(options_.cache_dir, ec);
  if (ec) return Error::invalid("cannot create the TUF cache " + options_.cache_dir.string() + ": " + ec.message());
  return write_atomically(options_.cache_dir / file, content);
}

// TUF 5.2: the trusted root is the cached one, or the initial one when it is newer (signet upgraded with a
// newer embedded root) or the cache has none. Either must be signed by its own threshold.
Result<Updater::RootFile> Updater::load_trusted_root() const {
  auto initial = parse_metadata(options_.initial_root, Role::Root);
  if (!initial) return initial.error().context("the initial TUF root");
  if (auto self = check_signatures(*initial, Role::Root, *initial); !self)
    return self.error().context("the initial TUF root");
  if (auto cached_bytes = read_file(options_.cache_dir / "root.json")) {
    auto cached = parse_metadata(*cached_bytes, Role::Root);
    if (cached && check_signatures(*cached, Role::Root, *cached) && cached->version > initial->version)
      return RootFile{std::move(*cached), std::move(*cached_bytes)};
  }
  return RootFile{std::move(*initial), options_.initial_root};
}

// TUF 5.3: each N+1.root.json must be signed by a threshold of the trusted root's root keys and of its
// own, and be exactly version N+1; the last one must not have expired.
Result<Metadata> Updater::update_root(RootFile start, UnixTime now) {
  Metadata trusted = std::move(start.metadata);
  std::string trusted_bytes = std::move(start.bytes);
  for (std::size_t rotations = 0;; ++rotations) {
    const std::string path = std::to_string(trusted.version + 1) + ".root.json";
    auto answer = fetch_(path, options_.max_root_bytes);
    if (!answer) return answer.error().context("fetching root version " + std::to_string(trusted.version + 1));
    if (!*answer) break;  // 5.3.2: no newer root
    if (rotations == options_.max_root_rotations) {
      return Error::invalid("the mirror offers more than " + std::to_string(options_.max_root_rotations) +
                            " root versions after " + trusted.name() + "; stopped rotating");
    }
    const std::string what = "root version " + std::to_string(trusted.version + 1) + " (" + path + ")";
    if ((*answer)->size() > options_.max_root_bytes)
      return Error::invalid(what + " is larger than " + std::to_string(options_.max_root_bytes) + " bytes");
    auto fresh = parse_metadata(**answer, Role::Root);
    if (!fresh) return fresh.error().context(what);
    if (auto by_trusted = check_signatures(trusted, Role::Root, *fresh); !by_trusted)
      return by_trusted.error().context("root rotation");
    if (auto by_itself = check_signatures(*fresh, Role::Root, *fresh); !by_itself)
      return by_itself.error().context("root rotation (the new root must be signed by its own keys)");
    if (fresh->version != trusted.version + 1) {
      return Error::invalid(path + " holds " + fresh->name() + ", expected version " +
                            std::to_string(trusted.version + 1) + " (root versions may not be skipped)");
    }
    if (auto stored = store("root.json", **answer); !stored) return stored.error();
    trusted = std::move(*fresh);
    trusted_bytes = std::move(**answer);
  }
  // The cache always holds the root the other metadata was checked with (cached_target reads it).
  if (read_file(options_.cache_dir / "root.json") != trusted_bytes) {
    if (auto stored = store("root.json", trusted_bytes); !stored) return stored.error();
  }
  if (auto fresh = check_not_expired(trusted, now); !fresh)
    return fresh.error().context("the newest root on the mirror");
  return trusted;
}

// The cached metadata of `role` when it still verifies with `root` (expired or not): the reference for
// rollback checks. After a key rotation it no longer verifies and is dropped (TUF 5.3.11).
std::optional<Metadata> Updater::load_cached(Role role, const Metadata& root) const {
  auto bytes = read_file(options_.cache_dir / metadata_file(role));
  if (!bytes) return std::nullopt;
  auto md = parse_metadata(*bytes, role);
  if (!md || !check_signatures(root, role, *md)) return std::nullopt;
  return std::move(*md);
}

Result<UpdateResult> Updater::update(std::string_view target_name, UnixTime now) {
  auto initial = load_trusted_root();
  if (!initial) return initial.error();
  auto root = update_root(std::move(*initial), now);
  if (!root) return root.error();
  UpdateResult result;
  result.root_version = root->version;

  // 5.4 timestamp
  auto timestamp_bytes = fetch("timestamp.json", options_.max_timestamp_bytes, "timestamp");
  if (!timestamp_bytes) return timestamp_bytes.error();
  auto timestamp = parse_metadata(*timestamp_bytes, Role::Timestamp);
  if (!timestamp) return timestamp.error();
  if (auto r = check_signatures(*root, Role::Timestamp, *timestamp); !r) return r.error();
  const FileInfo& snapshot_info = timestamp->meta.at("snapshot.json");
  if (auto trusted = load_cached(Role::Timestamp, *root)) {
    if (auto r = check_not_older(*trusted, *timestamp); !r) return r.error();
    if (snapshot_info.version < trusted->meta.at("snapshot.json").version) {
      return Error::invalid(timestamp->name() + " names snapshot version " + std::to_string(snapshot_info.version) +
                            ", older than the trusted " + trusted->name() + "'s " +
                            std::to_string(trusted->meta.at("snapshot.json").version) + " (a rollback)");
    }
  }
  if (auto r = check_not_expired(*timestamp, now); !r) return r.error();
  if (auto r = store("timestamp.json", *timestamp_bytes); !r) return r.error();
  result.timestamp_version = timestamp->version;

  // 5.5 snapshot
  const std::string snapshot_path =
      root->consistent_snapshot ? std::to_string(snapshot_info.version) + ".snapshot.json" : "snapshot.json";
  auto snapshot_bytes = fetch(snapshot_path, snapshot_info.length.value_or(options_.max_snapshot_bytes), "snapshot");
  if (!snapshot_bytes) return snapshot_bytes.error();
  if (auto r = check_file(*snapshot_bytes, snapshot_info, "snapshot.json as " + timestamp->name() + " lists it"); !r)
    return r.error();
  auto snapshot = parse_metadata(*snapshot_bytes, Role::Snapshot);
  if (!snapshot) return snapshot.error();
  if (auto r = check_signatures(*root, Role::Snapshot, *snapshot); !r) return r.error();
  if (snapshot->version != snapshot_info.version) {
    return Error::invalid(snapshot_path + " holds " + snapshot->name() + ", but " + timestamp->name() +
                          " names version " + std::to_string(snapshot_info.version));
  }
  if (auto trusted = load_cached(Role::Snapshot, *root)) {
    if (auto r = check_not_older(*trusted, *snapshot); !r) return r.error();
    for (const auto& [file, info] : trusted->meta) {
      auto now_listed = snapshot->meta.find(file);
      if (now_listed == snapshot->meta.end())
        return Error::invalid(snapshot->name() + " no longer lists " + file + ", which the trusted " + trusted->name() +
                              " lists (a rollback)");
      if (now_listed->second.version < info.version) {
        return Error::invalid(snapshot->name() + " names " + file + " version " +
                              std::to_string(now_listed->second.version) + ", older than the trusted " +
                              trusted->name() + "'s " + std::to_string(info.version) + " (a rollback)");
      }
    }
  }
  if (auto r = check_not_expired(*snapshot, now); !r) return r.error();
  if (auto r = store("snapshot.json", *snapshot_bytes); !r) return r.error();
  result.snapshot_version = snapshot->version;

  // 5.6 targets
  const FileInfo& targets_info = snapshot->meta.at("targets.json");
  const std::string targets_path =
      root->consistent_snapshot ? std::to_string(targets_info.version) + ".targets.json" : "targets.json";
  auto targets_bytes = fetch(targets_path, targets_info.length.value_or(options_.max_targets_bytes), "targets");
  if (!targets_bytes) return targets_bytes.error();
  if (auto r = check_file(*targets_bytes, targets_info, "targets.json as " + snapshot->name() + " lists it"); !r)
    return r.error();
  auto targets = parse_metadata(*targets_bytes, Role::Targets);
  if (!targets) return targets.error();
  if (auto r = check_signatures(*root, Role::Targets, *targets); !r) return r.error();
  if (targets->version != targets_info.version) {
    return Error::invalid(targets_path + " holds " + targets->name() + ", but " + snapshot->name() + " names version " +
                          std::to_string(targets_info.version));
  }
  if (auto r = check_not_expired(*targets, now); !r) return r.error();
  if (auto r = store("targets.json", *targets_bytes); !r) return r.error();
  result.targets_version = targets->version;

  // 5.7 the target
  auto listed = targets->targets.find(std::string(target_name));
  if (listed == targets->targets.end()) {
    return Error::invalid(targets->name() + " lists no target \"" + std::string(target_name) +
                          "\" (delegated targets are not searched)");
  }
  const FileInfo& target_info = listed->second;
  auto cache_path = target_cache_path(options_.cache_dir, target_name);
  if (!cache_path) return cache_path.error();
  const std::string what = "target " + std::string(target_name) + " as " + targets->name() + " lists it";
  if (auto cached = read_file(*cache_path); cached && check_file(*cached, target_info, what)) {
    result.target = std::move(*cached);
    return result;
  }
  std::string target_path = "targets/" + std::string(target_name);
  if (root->consistent_snapshot) {
    auto sha256 = target_info.hashes.find("sha256");
    const auto& [algorithm, hex] = sha256 != target_info.hashes.end() ? *sha256 : *target_info.hashes.begin();
    (void)algorithm;
    target_path = "targets/" + hex + "." + std::string(target_name);
  }
  auto target = fetch(target_path, *target_info.length, "target " + std::string(target_name));
  if (!target) return target.error();
  if (auto r = check_file(*target, target_info, what); !r) return r.error();
  std::error_code ec;
  fs::create_directories(cache_path->parent_path(), ec);
  if (ec) return Error::invalid("cannot create " + cache_path->parent_path().string() + ": " + ec.message());
  if (auto r = write_atomically(*cache_path, *target); !r) return r.error();
  result.target = std::move(*target);
  return result;
}

Result<std::string> Updater::cached_target(std::string_view target_name) const {
  auto root_bytes = read_file(options_.cache_dir / "root.json");
  if (!root_bytes) return Error::invalid("the TUF cache " + options_.cache_dir.string() + " holds no root.json");
  auto root = parse_metadata(*root_bytes, Role::Root);
  if (!root) return root.error().context("the cached TUF root");
  if (auto r = check_signatures(*root, Role::Root, *root); !r) return r.error().context("the cached TUF root");
  auto targets = load_cached(Role::Targets, *root);
  if (!targets) return Error::invalid("the TUF cache holds no targets metadata that verifies with " + root->name());
  auto listed = targets->targets.find(std::string(target_name));
  if (listed == targets->targets.end())
    return Error::invalid("the cached " + targets->name() + " lists no target \"" + std::string(target_name) + "\"");
  auto cache_path = target_cache_path(options_.cache_dir, target_name);
  if (!cache_path) return cache_path.error();
  auto content = read_file(*cache_path);
  if (!content) return Error::invalid("the TUF cache holds no " + cache_path->string());
  if (auto r = check_file(*content, listed->second, "the cached " + std::string(target_name)); !r) return r.error();
  return std::move(*content);
}

}  // namespace signet::server::tuf
