// The set of policies in force: an immutable snapshot, swapped whole when the policy folder changes, so
// one request sees one set from start to end.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "policy/cluster_objects.hpp"
#include "policy/loader/manifests.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// (kind, namespace, name) of an object a load read from the cluster.
using ClusterObjectKey = std::tuple<std::string, std::string, std::string>;

struct PolicySet {
  std::vector<Policy> policies;
  // What the whole set needs, worked out once per snapshot rather than at every review (engine.hpp's
  // reads_request_json, manifest_rules.hpp's has_manifest_rules). A set filled in field by field keeps
  // the safe answer, true; PolicySet::of computes them.
  bool reads_request_json = true;
  bool has_manifest_rules = true;

  static PolicySet of(std::vector<Policy> policies);
};

// A policy that could not be honoured: where and why.
struct PolicyError {
  std::string file;
  int document = 0;        // 1-based index of the YAML document in the file
  std::string field_path;  // e.g. "spec.rules[0].verifyImages[1].attestors[0].entries[0].keys.kms"
  int line = 0;            // 1-based; 0 when unknown
  std::string message;     // e.g. "keys.kms is not supported by signet yet"
  // Refused for its kind alone (an ImageValidatingPolicy, an unknown kind), which `policy check
  // --allow-skip` reports as skipped; a field error never is.
  bool refused_kind = false;
  std::string to_string() const;  // "file:line: document 2: spec.rules[0]…: message"
};

struct LoadReport {
  std::vector<Policy> accepted;
  std::vector<PolicyError> errors;  // one per refused policy (or unreadable file)
  std::vector<std::string> notes;   // non-fatal: kinds that cannot verify images skipped, rule kinds not handled
};

// Loads every *.yaml / *.yml file under `path` (a file or a folder, recursively), each possibly holding
// several documents. Documents of kinds that cannot verify images are noted and skipped; any other kind
// signet does not enforce is refused (loader_kinds.hpp). `keys` reads k8s:// public keys and the
// ConfigMaps of context entries (null refuses them); `dry_run` lets manifest rules use dryRun (null refuses it).
LoadReport load_policies(const std::filesystem::path& path, ClusterObjects* keys = nullptr,
                         const DryRunSettings* dry_run = nullptr);
// The same over several paths as one set: a policy defined in two of them is refused as in one.
LoadReport load_policies(const std::vector<std::filesystem::path>& paths, ClusterObjects* keys = nullptr,
                         const DryRunSettings* dry_run = nullptr);

// Holds the snapshot in force; reload() swaps in a new one only when every file loads cleanly, so a
// broken edit leaves the last good set in force.
class PolicyStore {
 public:
  // `cluster` reads k8s:// public keys and context ConfigMaps; null refuses them. Without `dry_run`,
  // manifests' dryRun is refused.
  explicit PolicyStore(std::filesystem::path path, std::shared_ptr<ClusterObjects> cluster = nullptr,
                       std::optional<DryRunSettings> dry_run = std::nullopt);
  // Several sources read as one set (a mounted folder and the mirror of the cluster's policy objects).
  explicit PolicyStore(std::vector<std::filesystem::path> paths, std::shared_ptr<ClusterObjects> cluster = nullptr,
                       std::optional<DryRunSettings> dry_run = std::nullopt);

  // Reloads when a file under the path was added, removed or modified since the last load, or a Secret
  // key or ConfigMap the last load read now reads differently (a rotated key, an edited ConfigMap), or
  // always with force. Returns the report of that load, or nullopt when nothing changed.
  std::optional<LoadReport> reload(bool force = false);

  std::shared_ptr<const PolicySet> current() const;
  bool loaded() const;  // true once a load succeeded

 private:
  bool cluster_changed() const;  // a Secret key or ConfigMap the last load read now reads differently

  std::vector<std::filesystem::path> paths_;
  std::mutex reload_mutex_;  // one reload at a time: two racing loads could publish the older set last
  mutable std::mutex mutex_;
  std::shared_ptr<const PolicySet> current_;
  std::string last_fingerprint_;  // names, sizes and mtimes of the files, to notice a change
  std::shared_ptr<ClusterObjects> cluster_;
  std::optional<DryRunSettings> dry_run_;
  std::map<ClusterObjectKey, std::string> cluster_answers_;  // what the last load read of each object
  bool loaded_ = false;
};

}  // namespace signet::policy
