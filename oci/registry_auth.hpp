// Registry authentication: answering a 401's WWW-Authenticate challenge with basic credentials, or with a
// bearer token fetched from the challenge's realm (with basic credentials, or an identity token exchanged
// by OAuth2's refresh-token grant), and remembering the answer per registry, repository and credentials
// until it expires, so later requests skip the 401.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/credential_store.hpp"
#include "oci/docker_config.hpp"
#include "oci/http_transport.hpp"

namespace signet::oci {

class RegistryAuth {
 public:
  // `transport` must outlive this object.
  RegistryAuth(HttpTransport& transport, CredentialStore credentials);

  // The Authorization header value remembered for `scope` and its current credentials, not about to expire.
  std::optional<std::string> cached(const RepositoryScope& scope) const;

  // The Authorization header value to retry a request that got `unauthorized` (a 401): basic credentials for
  // a Basic challenge; for a Bearer one, a registry token as it is, or a token from the realm for the pull
  // scope (or the challenge's own scope when it names the repository). Credentials that cannot be resolved
  // (a named secret missing) are Invalid errors; refusals are Unavailable errors that say which credentials
  // to check, or which credential helper holds them.
  boost::asio::awaitable<Result<std::string>> authorize(const RepositoryScope& scope, const HttpResponse& unauthorized,
                                                        Deadline deadline);

  // Drops what is remembered for `scope` (after it was refused).
  void forget(const RepositoryScope& scope);

 private:
  struct Entry {
    std::string authorization;
    std::chrono::steady_clock::time_point renew;  // a little before the token expires
  };

  boost::asio::awaitable<Result<std::string>> fetch_token(const RepositoryScope& scope,
                                                          const std::optional<FoundCredentials>& found,
                                                          const std::string& realm, const std::string& service,
                                                          const std::vector<std::string>& scopes, Deadline deadline);
  Error refused(const RepositoryScope& scope, const std::string& what,
                const std::optional<FoundCredentials>& found) const;
  void remember(const std::string& key, std::string authorization, std::chrono::milliseconds lifetime);

  HttpTransport& transport_;
  CredentialStore credentials_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> cache_;  // registry, repository and credentials → header; bounded
};

// The scopes to ask a token server for: the challenge's `scope` entries (space-separated) that name
// `repository`, or `repository:<repository>:pull` when none does or none grants pull.
std::vector<std::string> token_scopes(const std::string& repository, const std::string& challenge_scope);

}  // namespace signet::oci
