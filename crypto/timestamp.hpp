// RFC 3161 timestamps from a timestamp authority (cosign's dev.sigstore.cosign/rfc3161timestamp, a
// bundle's timestampVerificationData): a trusted time at which a signature existed.
#pragma once

#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::crypto {

// Verifies `der` (a TimeStampResp or a bare TimeStampToken) over `signed_bytes` (the signature's raw
// bytes, hashed with the token's own algorithm) against the TSAs of `tsas`: the token's signer chains to
// one of them, that TSA was valid at the token's genTime, the leaf has the timeStamping usage.
// Returns genTime (truncated to seconds).
Result<UnixTime> verify_rfc3161_timestamp(std::string_view der, std::string_view signed_bytes,
                                          const std::vector<CertificateAuthority>& tsas);

}  // namespace signet::crypto
