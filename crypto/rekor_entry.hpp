// Rekor transparency-log entries: the signed entry timestamp (SET, an offline promise of inclusion),
// RFC 6962 inclusion proofs with their signed checkpoints, and the entry's body, which must describe the
// very signature, key or certificate, and artifact being verified.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::crypto {

struct InclusionProof {
  std::uint64_t log_index = 0;  // index in the (shard's) tree; 0 when absent from the JSON
  std::string root_hash;        // raw bytes
  std::uint64_t tree_size = 0;
  std::vector<std::string> hashes;  // raw bytes, leaf to root
  std::string checkpoint;           // the signed note's text, "" when none
};

struct TlogEntry {
  std::int64_t log_index = 0;
  std::string log_id;  // raw bytes
  std::string kind;    // "hashedrekord", "rekord", "intoto", "dsse"
  std::string version;  // "0.0.1", "0.0.2"
  std::int64_t integrated_time = 0;  // 0 when the entry has none (Rekor v2)
  std::string canonicalized_body;    // decoded bytes
  std::optional<std::string> signed_entry_timestamp;  // decoded bytes
  std::optional<InclusionProof> inclusion_proof;
};

// cosign's `dev.sigstore.cosign/bundle` annotation:
// {"SignedEntryTimestamp": b64, "Payload": {"body": b64, "integratedTime", "logIndex", "logID": hex}}.
// The kind and version are read from the body.
Result<TlogEntry> parse_cosign_rekor_bundle(std::string_view json);

// The SET: the log's signature over the canonical JSON of {body, integratedTime, logID (hex), logIndex}.
Result<void> verify_signed_entry_timestamp(const TlogEntry& entry, const TransparencyLog& log);

// The inclusion proof (RFC 6962 leaf hash of the body up to root_hash) and its checkpoint, a signed note
// whose origin, tree size and root hash match the proof and whose signature verifies with `log`'s key.
Result<void> verify_inclusion_proof(const TlogEntry& entry, const TransparencyLog& log);

// What a log entry's body must describe.
struct SignedArtifact {
  // A message signature: `signature` over the artifact whose SHA-256 is `artifact_sha256` (raw bytes).
  std::string artifact_sha256;
  std::string signature;  // raw bytes
  // Or a DSSE envelope (then the two fields above are unused).
  std::optional<DsseEnvelope> envelope;
  // The verifier: the signing certificate's DER, or the public key's DER SPKI.
  std::string verifier_der;
};

// Checks that the body (hashedrekord 0.0.1/0.0.2, rekord 0.0.1, intoto 0.0.1/0.0.2, dsse 0.0.1/0.0.2)
// names `artifact`: its digest, its signature(s), its verifier. The error names the field that differs.
Result<void> check_entry_body(const TlogEntry& entry, const SignedArtifact& artifact);

}  // namespace signet::crypto
