// One image, pinned to a digest, against the attestors and attestations of one verifyImages entry:
// Kyverno's attestor sets (every set must pass; `count` of a set's entries, all by default; nested sets;
// several keys in one publicKeys expanded into one entry each), cosign signatures and DSSE attestations
// verified with crypto/, the attestor's annotations, and the transparency-log requirement.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "crypto/sigstore_verifier.hpp"
#include "oci/registry.hpp"
#include "policy/jmespath/json_value.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// The cosign signatures and attestations of one image, each fetched at most once per repository while
// the image is verified against several entries and attestors.
class EvidenceSource {
 public:
  using Layers = Result<std::vector<oci::CosignLayer>>;

  // `image` must hold a digest; `pull` says by when and with which credentials.
  EvidenceSource(oci::Registry& registry, oci::Reference image, oci::Pull pull);

  // `repository` "" means beside the image. The results stay valid as long as this object.
  boost::asio::awaitable<const Layers*> signatures(const std::string& repository);
  boost::asio::awaitable<const Layers*> attestations(const std::string& repository);

  using Bundles = Result<std::vector<crypto::SigstoreBundle>>;
  // The sigstore bundles attached to the image as OCI 1.1 referrers (or the tag-schema fallback), each
  // read from its referrer's first layer. A bundle that cannot be parsed is an Invalid error naming it.
  boost::asio::awaitable<const Bundles*> bundles();

  const oci::Reference& image() const { return image_; }

 private:
  using CosignRead = boost::asio::awaitable<Layers> (oci::Registry::*)(const oci::Reference&,
                                                                       const std::optional<std::string>&, oci::Pull);
  // `repository`'s layers from `cache`, read with `what` the first time.
  boost::asio::awaitable<const Layers*> read(std::map<std::string, Layers>& cache, CosignRead what,
                                             const std::string& repository);

  oci::Registry& registry_;
  oci::Reference image_;
  oci::Pull pull_;
  std::map<std::string, Layers> signatures_;
  std::map<std::string, Layers> attestations_;
  std::optional<Bundles> bundles_;

  boost::asio::awaitable<Bundles> read_bundles();
};

// Decides whether one verified in-toto statement (JSON) about `image` satisfies an attestation's
// conditions; Invalid with the reason when not.
using StatementCheck = std::function<Result<void>(const Attestation& attestation, const json::Value& statement,
                                                  const oci::Reference& image)>;

// Verifies the image of `evidence` against every attestor set of `entry`, then every attestation of it
// (statements signed by an attestor, naming the image's digest, of the attestation's type, each passing
// `check`). Invalid: the evidence does not satisfy the policy (no signature, wrong key, claims, tlog,
// conditions), the message names the attestor path. Unavailable: the answer could have been yes but a
// fetch failed (registry down, timeout).
boost::asio::awaitable<Result<void>> verify_attestors(const ImageVerification& entry, EvidenceSource& evidence,
                                                      const StatementCheck& check);

// One signature against one attestor entry: a keys entry's `key` (with the tlog requirement), a keyless
// signer (Fulcio chain at the signing time, SCT, tlog, identity) or a certificates entry. Returns what
// was verified; Invalid says why not.
Result<crypto::VerifiedSignature> verify_evidence(const crypto::SignatureEvidence& evidence, const Attestor& attestor,
                                                  const crypto::PublicKey* key);

// Checks one sigstore bundle attached to the image against one attestor entry: a message signature
// must sign `digest` itself, a DSSE attestation must be an in-toto statement about it.
Result<void> check_bundle(const crypto::SigstoreBundle& bundle, const Attestor& attestor,
                          const crypto::PublicKey* key, std::string_view digest);

// Checks one `.sig` layer against one attestor entry, in cosign's order: the signature and its signer
// (verify_evidence), the claims (the payload names `digest`), then the attestor's annotations.
Result<void> check_signature(const oci::CosignSignature& signature, const Attestor& attestor,
                             const crypto::PublicKey* key, std::string_view digest);

// The in-toto statement of one `.att` layer, when its envelope (payloadType in-toto, as cosign requires)
// verifies with the attestor (key, certificate or keyless signer, and the tlog requirement). Which image
// it is about is check_statement_subject's question, asked separately.
Result<json::Value> verified_statement(const oci::CosignLayer& layer, const Attestor& attestor,
                                       const crypto::PublicKey* key);

// Invalid unless a subject of `statement` has the sha256 of `digest` ("sha256:<hex>").
Result<void> check_statement_subject(const json::Value& statement, std::string_view digest);

}  // namespace signet::policy
