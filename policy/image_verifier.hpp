// One image, pinned to a digest, against the attestors of one verifyImages entry: Kyverno's attestor
// sets (every set must pass; `count` of a set's entries, all by default; nested sets; several keys in
// one publicKeys expanded into one entry each), cosign signatures verified with crypto/, the attestor's
// annotations, and the transparency-log requirement.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// The annotations of a cosign signature layer that the verifier reads.
inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kBundleAnnotation = "dev.sigstore.cosign/bundle";

// The cosign signatures of one image, fetched at most once per signature repository while the image
// is verified against several entries and attestors.
class SignatureSource {
 public:
  // `image` must hold a digest; `pull` says by when and with which credentials.
  SignatureSource(oci::Registry& registry, oci::Reference image, oci::Pull pull);

  // `repository` "" means beside the image. The result stays valid as long as this object.
  boost::asio::awaitable<const Result<std::vector<oci::CosignSignature>>*> fetch(const std::string& repository);

  const oci::Reference& image() const { return image_; }

 private:
  oci::Registry& registry_;
  oci::Reference image_;
  oci::Pull pull_;
  std::map<std::string, Result<std::vector<oci::CosignSignature>>> fetched_;
};

// Verifies the image of `signatures` against every attestor set of `entry`. Invalid: the evidence does
// not satisfy the policy (no signature, wrong key, claims, tlog), the message names the attestor path.
// Unavailable: the answer could have been yes but a fetch failed (registry down, timeout).
boost::asio::awaitable<Result<void>> verify_attestors(const ImageVerification& entry, SignatureSource& signatures);

// Checks one signature layer against one key of a keys attestor, in cosign's order: signature, claims
// (the payload names `digest`), the attestor's annotations, then the transparency-log requirement.
Result<void> check_signature(const oci::CosignSignature& signature, const crypto::PublicKey& key,
                             const StaticKeyAttestor& keys, const std::map<std::string, std::string>& annotations,
                             std::string_view digest);

}  // namespace signet::policy
