// Verifies one sigstore signature offline, as sigstore-go's verifier does: the signature over its
// content, the signer (a public key, a bring-your-own certificate, or a Fulcio certificate chained to the
// trusted root at the signing time, with its SCT), transparency-log entries (SET or inclusion proof, and a
// body naming this very signature) and RFC 3161 timestamps. Who the signer must be (identity, issuer,
// extensions) is the caller's policy, checked on the returned certificate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/dsse.hpp"
#include "crypto/public_key.hpp"
#include "crypto/rekor_entry.hpp"
#include "crypto/result.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::crypto {

// One signature and what travels with it: from cosign's layer annotations or from a sigstore bundle.
// The views point into the layer or file read, which must outlive the evidence (an attestation layer can
// be megabytes: it is not copied).
struct SignatureEvidence {
  // A message signature: `signature` over `payload` (cosign's simple-signing layer), or, when only the
  // digest is known (a bundle's messageDigest), over the artifact whose SHA-256 is `payload_sha256`.
  std::optional<std::string_view> payload;
  std::string payload_sha256;  // raw bytes; derived from `payload` when that is set
  std::string signature;       // raw bytes
  // Or a DSSE envelope (then the three fields above are unused).
  std::optional<DsseEnvelope> envelope;
  // The signing certificate first, then the chain the signature carries (untrusted). Empty for keys.
  std::vector<Certificate> certificates;
  std::vector<TlogEntry> tlog_entries;
  std::vector<std::string> rfc3161_timestamps;  // DER
  // What the timestamps cover when not the signature's raw bytes (cosign timestamps an attestation's
  // whole envelope layer); "" = the signature (for DSSE: its first signature).
  std::string_view timestamped_bytes;
};

// Reads a sigstore bundle into evidence (the artifact's digest comes from the bundle's messageDigest).
Result<SignatureEvidence> evidence_from_bundle(const SigstoreBundle& bundle);

struct VerifyOptions {
  bool require_tlog = true;  // false: rekor.ignoreTlog
  bool require_sct = true;   // false: ctlog.ignoreSCT (certificates from a CA only)
  HashAlgorithm hash = HashAlgorithm::Sha256;  // for key-based signatures (signatureAlgorithm)
  // The time a certificate is checked at when no log entry or timestamp vouches for one; unset = now.
  std::optional<UnixTime> now;
};

struct VerifiedSignature {
  std::optional<Certificate> certificate;  // the signer's certificate, for identity checks
  std::vector<UnixTime> verified_times;    // from log entries and timestamps
  bool logged = false;                     // a transparency-log entry verified
};

// Key-based: `key` verifies the signature; tlog entries found are verified (and required unless
// !require_tlog) against `root`'s logs.
Result<VerifiedSignature> verify_with_key(const SignatureEvidence& evidence, const PublicKey& key,
                                          const TrustedRoot& root, const VerifyOptions& options);

// Keyless: the signing certificate chains to one of `root`'s Fulcio CAs at a verified time (log entry or
// timestamp, or now when neither is required), carries a verified SCT (unless !require_sct), and its key
// verifies the signature.
Result<VerifiedSignature> verify_with_certificate_authority(const SignatureEvidence& evidence,
                                                            const TrustedRoot& root, const VerifyOptions& options);

// Bring-your-own PKI (Kyverno's `certificates` attestor): the signing certificate is `cert` when given
// (otherwise the one the signature carries), and it must chain to `chain` when that has roots.
Result<VerifiedSignature> verify_with_certificate(const SignatureEvidence& evidence,
                                                  const std::optional<Certificate>& cert,
                                                  const CertificatePool& chain, const TrustedRoot& root,
                                                  const VerifyOptions& options);

}  // namespace signet::crypto
