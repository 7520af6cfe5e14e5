// Sigstore bundles (protobuf-specs Bundle as JSON, media types application/vnd.dev.sigstore.bundle+json;
// version=0.1, 0.2, 0.3 and the older application/vnd.dev.sigstore.bundle.v0.3+json): one signature with
// everything needed to verify it offline.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/rekor_entry.hpp"
#include "crypto/result.hpp"

namespace signet::crypto {

struct MessageSignature {
  std::string digest_algorithm;  // "SHA2_256", … ("" when the bundle omits messageDigest)
  std::string digest;            // raw bytes
  std::string signature;         // raw bytes
};

struct SigstoreBundle {
  std::string media_type;
  // Verification material, exactly one of: certificates (v0.3 `certificate`: one; v0.1/0.2
  // `x509CertificateChain`: leaf first) or a public key hint (`publicKey.hint`, may be "").
  std::vector<std::string> certificates_der;
  std::optional<std::string> public_key_hint;
  std::vector<TlogEntry> tlog_entries;
  std::vector<std::string> rfc3161_timestamps;  // DER, from timestampVerificationData
  // Content, exactly one of:
  std::optional<MessageSignature> message_signature;
  std::optional<DsseEnvelope> dsse_envelope;
};

inline constexpr std::string_view kSigstoreBundleMediaType = "application/vnd.dev.sigstore.bundle+json";

// Parses and checks the shape: a known media type and version, one kind of verification material, one
// content; v0.1 bundles need an inclusion promise (SET) on each entry, v0.2+ an inclusion proof. Errors
// name the field.
Result<SigstoreBundle> parse_sigstore_bundle(std::string_view json);

}  // namespace signet::crypto
