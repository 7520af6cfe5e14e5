// What the rest of signet needs from an OCI registry, as an interface: the policy engine verifies
// evidence fetched through it, and unit tests give it an in-memory registry.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/reference.hpp"

namespace signet::oci {

using Clock = std::chrono::steady_clock;
// Every registry call finishes (with an Unavailable error "… timed out") by this time.
using Deadline = Clock::time_point;

// One cosign signature: a layer of the `sha256-<hex>.sig` manifest.
struct CosignSignature {
  std::string payload;                             // the layer's bytes (simple-signing JSON), digest-checked
  std::string media_type;                          // the layer's mediaType
  std::map<std::string, std::string> annotations;  // the layer's annotations (signature, certificate, bundle…)
};

class Registry {
 public:
  virtual ~Registry() = default;

  // The digest a tag points at now ("sha256:…"). A reference that already holds a digest returns it.
  virtual boost::asio::awaitable<Result<std::string>> resolve_digest(const Reference& image, Deadline deadline) = 0;

  // The cosign signatures of `image` (which must hold a digest), read from the `sha256-<hex>.sig` tag in
  // the image's repository, or in `signature_repository` ("registry/repo") when given. No signature
  // manifest → an empty list, not an error. Every layer is checked against its digest and size caps.
  virtual boost::asio::awaitable<Result<std::vector<CosignSignature>>> cosign_signatures(
      const Reference& image, const std::optional<std::string>& signature_repository, Deadline deadline) = 0;
};

}  // namespace signet::oci
