// What the rest of signet needs from an OCI registry, as an interface: the policy engine verifies
// evidence fetched through it, and unit tests give it an in-memory registry.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/reference.hpp"

namespace signet::oci {

using Clock = std::chrono::steady_clock;
// Every registry call finishes (with an Unavailable error "… timed out") by this time.
using Deadline = Clock::time_point;

// What the admitted pod could pull with, as the kubelet sees it: its own spec.imagePullSecrets and its
// service account's imagePullSecrets, all in the pod's namespace.
struct PodCredentials {
  std::string namespace_name;             // "" = no pod (the CLI, a request without a namespace)
  std::string service_account;            // spec.serviceAccountName; "" = "default"
  std::vector<std::string> pull_secrets;  // spec.imagePullSecrets[].name
  bool empty() const { return namespace_name.empty(); }
  bool operator==(const PodCredentials&) const = default;
};

// How one read is made: by its deadline, with the credentials a policy names, then the pod's. Converts
// from a Deadline, for reads with the default credentials.
struct Pull {
  Pull(Deadline d) : deadline(d) {}  // NOLINT(google-explicit-constructor): a deadline is a default pull
  Pull(Deadline d, std::vector<std::string> secret_names, PodCredentials pod_credentials = {})
      : deadline(d), secrets(std::move(secret_names)), pod(std::move(pod_credentials)) {}

  Deadline deadline;
  // imageRegistryCredentials.secrets: names of dockerconfigjson secrets searched before the default
  // credentials; empty = the default credentials only.
  std::vector<std::string> secrets;
  // Searched after `secrets` and before the default credentials, when secrets are read from the cluster.
  PodCredentials pod;
};

// Immutable bytes shared with the registry's content cache, so a layer served from the cache (an SBOM
// attestation can be megabytes) is not copied for each verification. Reads as a std::string.
class SharedBytes {
 public:
  SharedBytes() : bytes_(std::make_shared<const std::string>()) {}
  SharedBytes(std::string bytes) : bytes_(std::make_shared<const std::string>(std::move(bytes))) {}  // NOLINT
  SharedBytes(const char* bytes) : SharedBytes(std::string(bytes)) {}                                // NOLINT
  SharedBytes(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}                // NOLINT

  const std::string& str() const { return *bytes_; }
  operator const std::string&() const { return *bytes_; }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return *bytes_; }    // NOLINT(google-explicit-constructor)
  friend bool operator==(const SharedBytes& a, std::string_view b) { return a.str() == b; }

 private:
  std::shared_ptr<const std::string> bytes_;
};

// One layer of a cosign `sha256-<hex>.sig` (a signature) or `.att` (an attestation) manifest.
struct CosignSignature {
  SharedBytes payload;                             // the layer's bytes (simple-signing JSON or DSSE), digest-checked
  std::string media_type;                          // the layer's mediaType
  std::map<std::string, std::string> annotations;  // the layer's annotations (signature, certificate, bundle…)
};
using CosignLayer = CosignSignature;

// One manifest that refers to an image through its `subject` (OCI 1.1 referrers).
struct Referrer {
  std::string digest;         // of the referring manifest
  std::string media_type;     // of the referring manifest
  std::string artifact_type;  // its artifactType (or its config's mediaType)
  std::uint64_t size = 0;
  std::map<std::string, std::string> annotations;
};

class Registry {
 public:
  virtual ~Registry() = default;

  // The digest a tag points at now ("sha256:…"). A reference that already holds a digest returns it.
  virtual boost::asio::awaitable<Result<std::string>> resolve_digest(const Reference& image, Pull pull) = 0;

  // The cosign signatures of `image` (which must hold a digest), read from the `sha256-<hex>.sig` tag in
  // the image's repository, or in `signature_repository` ("registry/repo") when given. No signature
  // manifest → an empty list, not an error. Every layer is checked against its digest and size caps.
  virtual boost::asio::awaitable<Result<std::vector<CosignSignature>>> cosign_signatures(
      const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) = 0;

  // The cosign attestations of `image`: the layers (DSSE envelopes) of the `sha256-<hex>.att` manifest,
  // as cosign_signatures.
  virtual boost::asio::awaitable<Result<std::vector<CosignLayer>>> cosign_attestations(
      const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) = 0;

  // The layers of the image manifest `artifact` (which must hold a digest: a referrer's), each fetched and
  // checked against its digest and the size caps.
  virtual boost::asio::awaitable<Result<std::vector<CosignLayer>>> artifact_layers(const Reference& artifact,
                                                                                   Pull pull) = 0;

  // The manifests whose subject is `image` (which must hold a digest) with `artifact_type` ("" = all):
  // the OCI 1.1 referrers API, or the `sha256-<hex>` tag schema when the registry has no such API.
  virtual boost::asio::awaitable<Result<std::vector<Referrer>>> referrers(const Reference& image,
                                                                          const std::string& artifact_type,
                                                                          Pull pull) = 0;
};

}  // namespace signet::oci
