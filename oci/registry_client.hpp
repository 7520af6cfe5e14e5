// The registry client: the Distribution API v2 and OCI 1.1 referrers over HTTPS (plain HTTP for listed
// hosts), anonymous, basic or bearer-token auth, every digest-addressed byte checked against its digest,
// sizes capped. Tags are cached briefly and content by digest; concurrent reads of one thing share one
// request.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"
#include "oci/registry_options.hpp"
#include "oci/ttl_cache.hpp"

namespace signet::oci {

class RegistryClient final : public Registry {
 public:
  // Never throws for bad options: an unreadable ca_file or docker_config is reported by ready() and
  // returned by every call, so nothing silently falls back to anonymous or system-CA-only access.
  RegistryClient(boost::asio::any_io_executor executor, RegistryOptions options);
  ~RegistryClient() override;
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  // A client whose options loaded, or the error that says which option is wrong.
  static Result<std::unique_ptr<RegistryClient>> create(boost::asio::any_io_executor executor, RegistryOptions options);

  // Whether the CA bundle and docker config loaded.
  Result<void> ready() const;

  // The "tag" and "content" caches' sizes and hit counts.
  std::map<std::string, CacheStats> cache_stats() const;

  boost::asio::awaitable<Result<std::string>> resolve_digest(const Reference& image, Pull pull) override;
  boost::asio::awaitable<Result<std::vector<CosignSignature>>> cosign_signatures(
      const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) override;
  boost::asio::awaitable<Result<std::vector<CosignLayer>>> cosign_attestations(
      const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) override;
  boost::asio::awaitable<Result<std::vector<CosignLayer>>> artifact_layers(const Reference& artifact,
                                                                           Pull pull) override;
  boost::asio::awaitable<Result<std::vector<Referrer>>> referrers(const Reference& image,
                                                                  const std::string& artifact_type, Pull pull) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::oci
