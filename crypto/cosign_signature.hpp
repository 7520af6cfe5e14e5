// Verifying one cosign image signature (the `.sig` layer payload and its signature annotation) with
// one public key: the call the policy engine makes for each (signature, key) pair.
#pragma once

#include <string_view>

#include "crypto/public_key.hpp"
#include "crypto/result.hpp"
#include "crypto/simple_signing.hpp"

namespace signet::crypto {

// In cosign's order: base64-decode `signature_base64`, verify it over `payload` exactly as stored,
// only then parse the payload and check its claims against `image_digest` ("sha256:<hex>").
// Returns the verified payload.
Result<SimpleSigningPayload> verify_cosign_signature(std::string_view payload, std::string_view signature_base64,
                                                     const PublicKey& key, HashAlgorithm hash,
                                                     std::string_view image_digest);

}  // namespace signet::crypto
