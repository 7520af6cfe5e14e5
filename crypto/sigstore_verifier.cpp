// The order follows sigstore-go's verifier and cosign's: the signature over its content first, then the
// log entries and timestamps that establish when it was made, then the certificate at those times.
#include "crypto/sigstore_verifier.hpp"

#include <chrono>

#include "crypto/digest.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sct.hpp"
#include "crypto/timestamp.hpp"

namespace signet::crypto {
namespace {

UnixTime now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string format_time(UnixTime t) { return std::to_string(t.time_since_epoch().count()); }

Result<void> check_signature(const SignatureEvidence& evidence, const PublicKey& key, HashAlgorithm hash) {
  if (evidence.envelope) return verify_dsse(*evidence.envelope, key, hash);
  if (evidence.payload) return key.verify(*evidence.payload, evidence.signature, hash);
  if (evidence.payload_sha256.empty()) return Error::invalid("there is no payload or digest to verify the signature over");
  return key.verify_prehashed(evidence.payload_sha256, evidence.signature);
}

// What the log entries must describe: this signature, by this verifier, over this content.
SignedArtifact artifact_of(const SignatureEvidence& evidence, std::string verifier_der) {
  SignedArtifact artifact;
  artifact.verifier_der = std::move(verifier_der);
  if (evidence.envelope) {
    artifact.envelope = evidence.envelope;
  } else {
    artifact.artifact_sha256 = evidence.payload ? sha256_bytes(*evidence.payload) : evidence.payload_sha256;
    artifact.signature = evidence.signature;
  }
  return artifact;
}

// The bytes RFC 3161 timestamps cover.
std::string_view timestamped_bytes(const SignatureEvidence& evidence) {
  if (!evidence.timestamped_bytes.empty()) return evidence.timestamped_bytes;
  if (evidence.envelope) {
    if (evidence.envelope->signatures.empty()) return {};
    return evidence.envelope->signatures.front().signature;
  }
  return evidence.signature;
}

// Every log entry and timestamp must verify; each adds the time it vouches for. A log entry vouches for a
// time only through its signed entry timestamp (an inclusion proof alone signs no time).
Result<VerifiedSignature> verify_times(const SignatureEvidence& evidence, const std::string& verifier_der,
                                       const TrustedRoot& root) {
  VerifiedSignature verified;
  const SignedArtifact artifact = artifact_of(evidence, verifier_der);
  const UnixTime current = now();
  for (std::size_t i = 0; i < evidence.tlog_entries.size(); ++i) {
    const TlogEntry& entry = evidence.tlog_entries[i];
    const std::string where = "transparency log entry " + std::to_string(entry.log_index);
    const TransparencyLog* log = root.find_tlog(entry.log_id);
    if (log == nullptr) {
      return Error::invalid(where + ": its log (id " + hex_encode(entry.log_id) + ") is not in the trusted root");
    }
    if (!entry.signed_entry_timestamp && !entry.inclusion_proof) {
      return Error::invalid(where + ": it has neither a signed entry timestamp nor an inclusion proof");
    }
    if (entry.signed_entry_timestamp) {
      if (auto set = verify_signed_entry_timestamp(entry, *log); !set) return set.error().context(where);
    }
    if (entry.inclusion_proof) {
      if (auto proof = verify_inclusion_proof(entry, *log); !proof) return proof.error().context(where);
    }
    if (auto body = check_entry_body(entry, artifact); !body) return body.error().context(where);
    if (entry.integrated_time > 0) {
      const UnixTime integrated{std::chrono::seconds(entry.integrated_time)};
      if (integrated > current) return Error::invalid(where + ": its integrated time is in the future");
      if (!log->valid_for.contains(integrated)) {
        return Error::invalid(where + ": the log's key was not valid at the entry's time " + format_time(integrated));
      }
      if (entry.signed_entry_timestamp) verified.verified_times.push_back(integrated);
    }
    verified.logged = true;
  }
  const std::string_view covered = timestamped_bytes(evidence);
  for (std::size_t i = 0; i < evidence.rfc3161_timestamps.size(); ++i) {
    auto time = verify_rfc3161_timestamp(evidence.rfc3161_timestamps[i], covered, root.timestamp_authorities);
    if (!time) return time.error().context("RFC 3161 timestamp " + std::to_string(i + 1));
    verified.verified_times.push_back(*time);
  }
  return verified;
}

Result<void> require_log(const VerifiedSignature& verified, const VerifyOptions& options) {
  if (!options.require_tlog || verified.logged) return success();
  return Error::invalid("no transparency log entry (set rekor.ignoreTlog: true to verify without one)");
}

// The certificate must chain at every verified time (or now, when no time was required and none is
// known), and, unless ignored, carry an SCT from a known CT log.
template <class ChainAt>
Result<void> check_certificate(const Certificate& leaf, VerifiedSignature& verified, const TrustedRoot& root,
                               const VerifyOptions& options, const ChainAt& chain_at) {
  std::vector<UnixTime> times = verified.verified_times;
  if (times.empty()) times.push_back(options.now.value_or(now()));
  std::vector<Certificate> chain;
  for (UnixTime t : times) {
    auto verified_chain = chain_at(t);
    if (!verified_chain) return verified_chain.error().context("the signing certificate at " + format_time(t));
    chain = std::move(*verified_chain);
  }
  if (options.require_sct) {
    if (chain.size() < 2) return Error::invalid("the signing certificate has no issuer to check its SCT with");
    if (auto sct = verify_embedded_scts(leaf, chain[1], root.ctlogs); !sct) {
      return sct.error().context("certificate transparency (set ctlog.ignoreSCT: true to verify without it)");
    }
  }
  verified.certificate = leaf;
  return success();
}

}  // namespace

Result<SignatureEvidence> evidence_from_bundle(const SigstoreBundle& bundle) {
  SignatureEvidence evidence;
  for (std::size_t i = 0; i < bundle.certificates_der.size(); ++i) {
    auto certificate = Certificate::from_der(bundle.certificates_der[i]);
    if (!certificate) return certificate.error().context("verificationMaterial certificate " + std::to_string(i + 1));
    evidence.certificates.push_back(std::move(*certificate));
  }
  evidence.tlog_entries = bundle.tlog_entries;
  evidence.rfc3161_timestamps = bundle.rfc3161_timestamps;
  if (bundle.message_signature) {
    const MessageSignature& message = *bundle.message_signature;
    if (!message.digest_algorithm.empty() && message.digest_algorithm != "SHA2_256") {
      return Error::invalid("messageDigest.algorithm " + message.digest_algorithm + " is not supported (SHA2_256 is)");
    }
    evidence.payload_sha256 = message.digest;
    evidence.signature = message.signature;
  }
  evidence.envelope = bundle.dsse_envelope;
  return evidence;
}

Result<VerifiedSignature> verify_with_key(const SignatureEvidence& evidence, const PublicKey& key,
                                          const TrustedRoot& root, const VerifyOptions& options) {
  if (auto signature = check_signature(evidence, key, options.hash); !signature) return signature.error();
  auto verified = verify_times(evidence, key.der(), root);
  if (!verified) return verified.error();
  if (auto logged = require_log(*verified, options); !logged) return logged.error();
  return verified;
}

Result<VerifiedSignature> verify_with_certificate_authority(const SignatureEvidence& evidence,
                                                            const TrustedRoot& root, const VerifyOptions& options) {
  if (evidence.certificates.empty()) return Error::invalid("the signature carries no certificate");
  const Certificate& leaf = evidence.certificates.front();
  const std::vector<Certificate> untrusted(evidence.certificates.begin() + 1, evidence.certificates.end());
  auto key = leaf.public_key();
  if (!key) return key.error().context("the signing certificate's key");
  if (auto signature = check_signature(evidence, *key, options.hash); !signature) return signature.error();
  auto verified = verify_times(evidence, leaf.der(), root);
  if (!verified) return verified.error();
  if (auto logged = require_log(*verified, options); !logged) return logged.error();
  auto certificate = check_certificate(leaf, *verified, root, options,
                                       [&](UnixTime t) { return verify_fulcio_chain(leaf, untrusted, root, t); });
  if (!certificate) return certificate.error();
  return verified;
}

Result<VerifiedSignature> verify_with_certificate(const SignatureEvidence& evidence,
                                                  const std::optional<Certificate>& cert,
                                                  const CertificatePool& chain, const TrustedRoot& root,
                                                  const VerifyOptions& options) {
  if (!cert && evidence.certificates.empty()) return Error::invalid("the signature carries no certificate");
  const Certificate& signer = cert ? *cert : evidence.certificates.front();
  auto key = signer.public_key();
  if (!key) return key.error().context("the certificate's key");
  if (auto signature = check_signature(evidence, *key, options.hash); !signature) return signature.error();
  // The log names the certificate the signature carries (or the policy's, when it carries none).
  const Certificate& logged_as = evidence.certificates.empty() ? signer : evidence.certificates.front();
  auto verified = verify_times(evidence, logged_as.der(), root);
  if (!verified) return verified.error();
  if (auto logged = require_log(*verified, options); !logged) return logged.error();
  if (chain.roots.empty()) {
    // A certificate given alone is a key with a name, as in cosign: no chain to check.
    verified->certificate = signer;
    return verified;
  }
  const std::vector<Certificate> untrusted(
      evidence.certificates.empty() ? evidence.certificates.end() : evidence.certificates.begin() + 1,
      evidence.certificates.end());
  auto certificate = check_certificate(signer, *verified, root, options, [&](UnixTime t) {
    return verify_chain(signer, untrusted, chain, t, /*code_signing=*/false);
  });
  if (!certificate) return certificate.error();
  return verified;
}

}  // namespace signet::crypto
