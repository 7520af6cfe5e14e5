// The simple-signing payload cosign signs for an image (containers-signature(5) "JSON data format"),
// and the claims check that ties a verified payload to the image being admitted.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::crypto {

// critical.type of every cosign image signature (sigstore's payload.CosignSignatureType).
inline constexpr std::string_view kCosignSignatureType = "cosign container image signature";

struct SimpleSigningPayload {
  std::string docker_reference;  // critical.identity.docker-reference
  std::string manifest_digest;   // critical.image.docker-manifest-digest
  std::string type;              // critical.type
  // optional: string values as they are, other values as their JSON text (1657296609, {"a":1}).
  std::map<std::string, std::string> optional;
};

// Strict: the payload must be one JSON object holding `critical` (with exactly `identity`, `image`
// and `type`) and possibly `optional` (an object or null). Unknown fields in `critical` are refused,
// as containers-signature(5) requires of the part a verifier must understand; so are duplicate
// fields anywhere, which two JSON parsers could read differently. Errors name the field path.
Result<SimpleSigningPayload> parse_simple_signing(std::string_view json);

// The payload is a cosign image signature (exact type, as cosign and containers/image compare it)
// and names `image_digest`; otherwise the error says what it names instead.
Result<void> check_claims(const SimpleSigningPayload& payload, std::string_view image_digest);

}  // namespace signet::crypto
