#include "crypto/cosign_signature.hpp"

#include "crypto/encoding.hpp"

namespace signet::crypto {

Result<SimpleSigningPayload> verify_cosign_signature(std::string_view payload, std::string_view signature_base64,
                                                     const PublicKey& key, HashAlgorithm hash,
                                                     std::string_view image_digest) {
  auto signature = base64_decode(signature_base64);
  if (!signature) return signature.error().context("the signature annotation");
  if (auto verified = key.verify(payload, *signature, hash); !verified) return verified.error();

  // Nothing in the payload is looked at before the signature over it has been verified.
  auto parsed = parse_simple_signing(payload);
  if (!parsed) return parsed.error().context("the signed payload");
  if (auto claims = check_claims(*parsed, image_digest); !claims) return claims.error();
  return parsed;
}

}  // namespace signet::crypto
