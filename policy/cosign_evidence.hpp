// cosign's layout of one signature in a `.sig` / `.att` manifest layer, read into crypto's
// SignatureEvidence: the layer's bytes (the signed payload or a DSSE envelope) and its annotations —
// the signature, the Fulcio certificate and chain, the Rekor bundle (SET) and an RFC 3161 timestamp.
#pragma once

#include <string_view>

#include "crypto/result.hpp"
#include "crypto/sigstore_verifier.hpp"
#include "oci/registry.hpp"

namespace signet::policy {

inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kCertificateAnnotation = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view kChainAnnotation = "dev.sigstore.cosign/chain";
inline constexpr std::string_view kBundleAnnotation = "dev.sigstore.cosign/bundle";
inline constexpr std::string_view kTimestampAnnotation = "dev.sigstore.cosign/rfc3161timestamp";

// A `.sig` layer: the payload as stored, the base64 signature annotation, and what travels with it.
// Errors name the annotation that cannot be read.
Result<crypto::SignatureEvidence> signature_evidence(const oci::CosignLayer& layer);

// A `.att` layer: the DSSE envelope it holds, with the same annotations; its timestamp covers the layer.
Result<crypto::SignatureEvidence> attestation_evidence(const oci::CosignLayer& layer);

}  // namespace signet::policy
