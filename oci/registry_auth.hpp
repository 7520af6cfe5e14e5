// Registry authentication: answering a 401's WWW-Authenticate challenge with basic credentials from the
// docker config, or with a bearer token fetched from the challenge's realm, and remembering the answer
// per repository so later requests skip the 401.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/docker_config.hpp"
#include "oci/http_transport.hpp"

namespace signet::oci {

// What a request is for: the registry as references name it ("docker.io", "127.0.0.1:5000") and the
// repository, which is the scope of a pull token.
struct RepositoryScope {
  std::string registry;
  std::string repository;
  // Names of the credential secrets a policy lists (imageRegistryCredentials.secrets); empty = the
  // default credentials.
  std::vector<std::string> secrets;
};

class RegistryAuth {
 public:
  // `transport` must outlive this object.
  RegistryAuth(HttpTransport& transport, DockerConfig config);

  // The Authorization header value remembered for `scope` and not expired.
  std::optional<std::string> cached(const RepositoryScope& scope) const;

  // The Authorization header value to retry a request that got `unauthorized` (a 401): basic
  // credentials for a Basic challenge, a token from the realm for a Bearer one (with the basic
  // credentials when there are some). Failures are Unavailable errors that say to check credentials.
  boost::asio::awaitable<Result<std::string>> authorize(const RepositoryScope& scope, const HttpResponse& unauthorized,
                                                        Deadline deadline);

  // Drops what is remembered for `scope` (after it was refused).
  void forget(const RepositoryScope& scope);

 private:
  struct Entry {
    std::string authorization;
    std::chrono::steady_clock::time_point expires;
  };

  boost::asio::awaitable<Result<std::string>> fetch_token(const RepositoryScope& scope, const std::string& realm,
                                                          const std::string& service, Deadline deadline);
  void remember(const RepositoryScope& scope, std::string authorization, std::chrono::seconds lifetime);

  HttpTransport& transport_;
  DockerConfig config_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> cache_;  // "registry/repository" → header; bounded by kMaxCacheEntries
};

}  // namespace signet::oci
