#include "policy/cosign_evidence.hpp"

#include "crypto/encoding.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy {
namespace {

const std::string* annotation(const oci::CosignLayer& layer, std::string_view name) {
  const auto found = layer.annotations.find(std::string(name));
  return found == layer.annotations.end() || found->second.empty() ? nullptr : &found->second;
}

// The annotations every cosign layer may carry, for signatures and attestations alike.
Result<void> read_annotations(const oci::CosignLayer& layer, crypto::SignatureEvidence& evidence) {
  if (const std::string* pem = annotation(layer, kCertificateAnnotation)) {
    auto certificate = crypto::Certificate::from_pem(*pem);
    if (!certificate) return certificate.error().context(std::string(kCertificateAnnotation));
    evidence.certificates.push_back(std::move(*certificate));
    if (const std::string* chain_pem = annotation(layer, kChainAnnotation)) {
      auto chain = crypto::Certificate::all_from_pem(*chain_pem);
      if (!chain) return chain.error().context(std::string(kChainAnnotation));
      for (auto& certificate : *chain) evidence.certificates.push_back(std::move(certificate));
    }
  }
  if (const std::string* bundle = annotation(layer, kBundleAnnotation)) {
    auto entry = crypto::parse_cosign_rekor_bundle(*bundle);
    if (!entry) return entry.error().context(std::string(kBundleAnnotation));
    evidence.tlog_entries.push_back(std::move(*entry));
  }
  if (const std::string* timestamp = annotation(layer, kTimestampAnnotation)) {
    const std::string where(kTimestampAnnotation);
    auto parsed = json::parse(*timestamp);
    if (!parsed) return parsed.error().context(where);
    const json::Value* signed_timestamp = parsed->find("SignedRFC3161Timestamp");
    if (signed_timestamp == nullptr || !signed_timestamp->is_string()) {
      return Error::invalid(where + ": SignedRFC3161Timestamp is missing");
    }
    auto der = crypto::base64_decode(signed_timestamp->as_string());
    if (!der) return der.error().context(where + ": SignedRFC3161Timestamp");
    evidence.rfc3161_timestamps.push_back(std::move(*der));
  }
  return success();
}

}  // namespace

Result<crypto::SignatureEvidence> signature_evidence(const oci::CosignLayer& layer) {
  const std::string* signature = annotation(layer, kSignatureAnnotation);
  if (signature == nullptr) {
    return Error::invalid("the signature layer has no " + std::string(kSignatureAnnotation) + " annotation");
  }
  crypto::SignatureEvidence evidence;
  auto decoded = crypto::base64_decode(*signature);
  if (!decoded) return decoded.error().context("the signature annotation");
  evidence.signature = std::move(*decoded);
  evidence.payload = layer.payload;
  if (auto read = read_annotations(layer, evidence); !read) return read.error();
  return evidence;
}

Result<crypto::SignatureEvidence> attestation_evidence(const oci::CosignLayer& layer) {
  auto envelope = crypto::parse_dsse_envelope(layer.payload);
  if (!envelope) return envelope.error();
  crypto::SignatureEvidence evidence;
  evidence.envelope = std::move(*envelope);
  evidence.timestamped_bytes = layer.payload;
  if (auto read = read_annotations(layer, evidence); !read) return read.error();
  return evidence;
}

}  // namespace signet::policy
