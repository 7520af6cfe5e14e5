// DSSE envelopes (github.com/secure-systems-lab/dsse): a payload, its type and signatures over the
// pre-authentication encoding PAE(type, payload). cosign stores in-toto attestations in them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/public_key.hpp"
#include "crypto/result.hpp"

namespace signet::crypto {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

struct DsseSignature {
  std::string keyid;      // a hint only; never trusted to pick the key
  std::string signature;  // decoded bytes
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // decoded bytes
  std::vector<DsseSignature> signatures;
};

// Parses an envelope: `payloadType` and `payload` (base64, standard or URL-safe, padded or not) are
// required, `signatures` must be a non-empty list of objects with a base64 `sig`. Errors name the field.
Result<DsseEnvelope> parse_dsse_envelope(std::string_view json);

// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal: what is signed.
std::string dsse_pae(std::string_view payload_type, std::string_view payload);

// Whether any of the envelope's signatures verifies with `key` over the PAE (Ed25519 signs the PAE
// itself, the others its `hash`). The error says why none did.
Result<void> verify_dsse(const DsseEnvelope& envelope, const PublicKey& key, HashAlgorithm hash);

}  // namespace signet::crypto
