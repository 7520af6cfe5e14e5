// Registry credentials from a docker config.json (`docker login` writes it; a
// `kubernetes.io/dockerconfigjson` secret holds the same document, a `kubernetes.io/dockercfg` one its
// legacy form), and which credentials go to which registry, as the container runtimes decide it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace signet::oci {

// What one docker config entry holds. Never put any of it in a message.
struct Credentials {
  std::string username;
  std::string password;
  // `identitytoken`: an OAuth2 refresh token (ACR, `docker login` against an OAuth realm), exchanged at
  // the token realm for an access token.
  std::string identity_token;
  // `registrytoken`: a bearer token sent to the registry as it is.
  std::string registry_token;

  bool operator==(const Credentials&) const = default;
};

// A key of `auths` as kubelet's credential keyring reads it: an optional scheme, a host whose dot-separated
// labels may be globs (`*.example.com`, `app*.k8s.io`; `*` never spans a dot), an optional port that must
// match exactly, and an optional path that must be a prefix (whole segments) of the repository. A leading
// `/v1/` or `/v2/` is docker's API version, not a repository path. Docker Hub's names (docker.io,
// index.docker.io, registry-1.docker.io) are one host.
class CredentialKey {
 public:
  // Fails (nullopt) for keys that name no host.
  static std::optional<CredentialKey> parse(std::string_view key);

  // How specifically this key names `registry` / `repository`, or nullopt when it does not match. Higher is
  // more specific: a longer path first, then fewer wildcard labels (kubelet's reverse-sorted index).
  std::optional<std::size_t> match(std::string_view registry, std::string_view repository) const;

 private:
  std::vector<std::string> labels_;  // host split at dots, lowercased
  std::string port_;
  std::string path_;  // "" or "team/app", no slashes around
  std::size_t wildcards_ = 0;
};

class DockerConfig {
 public:
  // Reads `auths`: values hold `auth` (base64 "user:pass") or `username` and `password`, and/or
  // `identitytoken` or `registrytoken`. Entries holding none are skipped. `credsStore` and `credHelpers`
  // are remembered so a refusal can say where the credentials live. Errors name the entry that is wrong,
  // never its secret part.
  static Result<DockerConfig> parse(std::string_view json);
  // The `.dockercfg` form: the `auths` map alone, without the wrapper.
  static Result<DockerConfig> parse_legacy(std::string_view json);
  // parse() of the file at `path`; an unreadable file is an Invalid error naming it.
  static Result<DockerConfig> load(const std::string& path);

  struct Match {
    Credentials credentials;
    std::size_t specificity = 0;  // CredentialKey::match's
  };
  // The most specific entry for `repository` of `registry` (a reference's registry: "docker.io",
  // "127.0.0.1:5000"); on a tie, the entry first in the file.
  std::optional<Match> match(std::string_view registry, std::string_view repository) const;
  std::optional<Credentials> find(std::string_view registry, std::string_view repository = {}) const;

  // The credential helper that holds `registry`'s credentials (`credHelpers` by host, else `credsStore`),
  // which signet does not run; nullopt when none is named.
  std::optional<std::string> helper_for(std::string_view registry) const;
  // Whether that helper comes from `credHelpers` naming this very host (not the catch-all `credsStore`).
  bool helper_names_host(std::string_view registry) const;

  bool empty() const { return entries_.empty(); }

  // Used by the parser.
  void add(CredentialKey key, Credentials credentials);
  void add_helper(std::string_view host, std::string helper);
  void set_store(std::string helper) { store_ = std::move(helper); }

 private:
  struct Entry {
    CredentialKey key;
    Credentials credentials;
  };
  std::vector<Entry> entries_;
  std::map<std::string, std::string> helpers_;  // normalised host[:port] → helper name
  std::string store_;                           // credsStore
};

}  // namespace signet::oci
