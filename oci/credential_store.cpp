#include "oci/credential_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace signet::oci {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxWatchedSecrets = 1024;

// Kubernetes secret names are DNS subdomains; anything else (a path, "..") never reaches the filesystem.
bool is_secret_name(const std::string& name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

// What tells a rewritten file from an unchanged one. Kubernetes swaps a symlink to a new file on rotation,
// which stat() follows: a new inode and mtime.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long long mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

std::optional<FileIdentity> identify(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileIdentity{st.st_dev, st.st_ino, st.st_size,
                      static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// One docker config file as last read, and when it was last looked at.
struct WatchedConfig {
  std::string path;  // the file found ("" when none was)
  FileIdentity identity;
  Result<DockerConfig> config = DockerConfig();
  SteadyClock::time_point checked;
  bool loaded = false;
};

Result<DockerConfig> read_config(const std::string& path, bool legacy) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::invalid("cannot read " + path);
  std::ostringstream content;
  content << file.rdbuf();
  auto config = legacy ? DockerConfig::parse_legacy(content.str()) : DockerConfig::parse(content.str());
  if (!config) return config.error().context(path);
  return config;
}

// The most specific entry for `scope` among `configs` (on a tie, the first), as the kubelet's keyring
// over several secrets picks one.
std::optional<FoundCredentials> best_match(const std::vector<NamedDockerConfig>& configs,
                                           const RepositoryScope& scope) {
  std::optional<FoundCredentials> best;
  std::size_t best_specificity = 0;
  for (const auto& named : configs) {
    auto match = named.config.match(scope.registry, scope.repository);
    if (match && (!best || match->specificity > best_specificity)) {
      best_specificity = match->specificity;
      best = FoundCredentials{std::move(match->credentials), named.source};
    }
  }
  return best;
}

}  // namespace

struct CredentialStore::Impl {
  std::string docker_config;  // path or ""
  std::string secrets_dir;    // folder or ""
  std::chrono::milliseconds recheck{0};

  mutable std::mutex mutex;
  mutable WatchedConfig default_config;
  mutable std::map<std::string, WatchedConfig> secrets;  // by secret name

  // Re-reads `watched` when its interval passed and the file changed. `candidates` are the file names to
  // look for, in order, each with whether it is the legacy form.
  void refresh(WatchedConfig& watched, const std::vector<std::pair<std::string, bool>>& candidates) const {
    const auto now = SteadyClock::now();
    if (watched.loaded && now - watched.checked < recheck) return;
    watched.checked = now;
    for (const auto& [path, legacy] : candidates) {
      const auto identity = identify(path);
      if (!identity) continue;
      if (watched.loaded && watched.path == path && watched.identity == *identity) return;
      watched.path = path;
      watched.identity = *identity;
      watched.config = read_config(path, legacy);
      watched.loaded = true;
      return;
    }
    watched.path.clear();
    watched.config = DockerConfig();
    watched.loaded = true;
  }

  // The default docker config, or nullptr when there is none. Caller holds `mutex`.
  Result<const DockerConfig*> default_docker_config() const {
    if (docker_config.empty()) return static_cast<const DockerConfig*>(nullptr);
    refresh(default_config, {{docker_config, false}});
    if (default_config.path.empty()) return Error::invalid("cannot read docker config " + docker_config);
    if (!default_config.config) return default_config.config.error();
    return &*default_config.config;
  }

  // A named secret's docker config. Caller holds `mutex`.
  Result<const DockerConfig*> secret(const std::string& name) const {
    if (!is_secret_name(name))
      return Error::invalid("registry credential secret \"" + name + "\" is not a Kubernetes secret name");
    if (secrets_dir.empty()) {
      return Error::invalid("registry credential secret " + name +
                            " is named, but no secrets folder is configured to find it in");
    }
    if (secrets.size() >= kMaxWatchedSecrets && !secrets.contains(name)) secrets.clear();
    WatchedConfig& watched = secrets[name];
    const std::string folder = secrets_dir + "/" + name;
    refresh(watched, {{folder + "/.dockerconfigjson", false}, {folder + "/.dockercfg", true}});
    if (watched.path.empty())
      return Error::invalid("registry credential secret " + name + " not found in " + secrets_dir);
    if (!watched.config) return watched.config.error().context("registry credential secret " + name);
    return &*watched.config;
  }

  std::string default_source() const { return "docker config " + docker_config; }
};

CredentialStore::CredentialStore() : impl_(std::make_shared<Impl>()) {}

Result<CredentialStore> CredentialStore::open(const std::string& docker_config, const std::string& secrets_dir,
                                              std::chrono::milliseconds recheck) {
  CredentialStore store;
  store.impl_->docker_config = docker_config;
  store.impl_->secrets_dir = secrets_dir;
  store.impl_->recheck = recheck;
  if (!secrets_dir.empty() && !is_directory(secrets_dir))
    return Error::invalid("the registry credential secrets folder " + secrets_dir + " is not a folder");
  const std::lock_guard lock(store.impl_->mutex);
  if (auto config = store.impl_->default_docker_config(); !config) return config.error();
  return store;
}

Result<std::optional<FoundCredentials>> CredentialStore::find(const RepositoryScope& scope) const {
  const std::lock_guard lock(impl_->mutex);
  // Kyverno builds one keychain from the rule's secrets (kubelet's keyring over all of them: the most
  // specific key wins) and skips names it cannot find. signet refuses a missing name instead, so a typo
  // never turns into anonymous access, and then, where Kyverno would go anonymous, uses its own default
  // docker config, which the operator configured for every rule.
  if (scope.resolved) {
    for (const auto* group : {&scope.resolved->policy, &scope.resolved->pod}) {
      if (auto best = best_match(*group, scope)) return best;
    }
  } else {
    std::optional<FoundCredentials> best;
    std::size_t best_specificity = 0;
    for (const auto& name : scope.secrets) {
      auto config = impl_->secret(name);
      if (!config) return config.error();
      auto match = (*config)->match(scope.registry, scope.repository);
      if (match && (!best || match->specificity > best_specificity)) {
        best_specificity = match->specificity;
        best = FoundCredentials{std::move(match->credentials), "secret " + name};
      }
    }
    if (best) return best;
  }
  auto config = impl_->default_docker_config();
  if (!config) return config.error();
  if (*config == nullptr) return std::optional<FoundCredentials>();
  auto match = (*config)->match(scope.registry, scope.repository);
  if (!match) return std::optional<FoundCredentials>();
  return std::optional<FoundCredentials>(FoundCredentials{std::move(match->credentials), impl_->default_source()});
}

Result<std::optional<NamedDockerConfig>> CredentialStore::mounted_secret(const std::string& name) const {
  const std::lock_guard lock(impl_->mutex);
  if (impl_->secrets_dir.empty() || !is_secret_name(name)) return std::optional<NamedDockerConfig>();
  auto config = impl_->secret(name);
  if (config) return std::optional<NamedDockerConfig>(NamedDockerConfig{"secret " + name, **config});
  const std::string folder = impl_->secrets_dir + "/" + name;
  if (!identify(folder + "/.dockerconfigjson") && !identify(folder + "/.dockercfg"))
    return std::optional<NamedDockerConfig>();
  return config.error();
}

std::optional<CredentialHelper> CredentialStore::helper_for(const RepositoryScope& scope) const {
  if (scope.resolved) {
    for (const auto* group : {&scope.resolved->policy, &scope.resolved->pod}) {
      for (const auto& named : *group) {
        if (auto helper = named.config.helper_for(scope.registry))
          return CredentialHelper{std::move(*helper), named.source, named.config.helper_names_host(scope.registry)};
      }
    }
  }
  const std::lock_guard lock(impl_->mutex);
  for (const auto& name : scope.resolved ? std::vector<std::string>() : scope.secrets) {
    auto config = impl_->secret(name);
    if (!config) continue;
    if (auto helper = (*config)->helper_for(scope.registry))
      return CredentialHelper{std::move(*helper), "secret " + name, (*config)->helper_names_host(scope.registry)};
  }
  auto config = impl_->default_docker_config();
  if (!config || *config == nullptr) return std::nullopt;
  if (auto helper = (*config)->helper_for(scope.registry))
    return CredentialHelper{std::move(*helper), impl_->default_source(), (*config)->helper_names_host(scope.registry)};
  return std::nullopt;
}

}  // namespace signet::oci
