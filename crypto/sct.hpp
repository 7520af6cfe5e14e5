// Signed certificate timestamps embedded in a Fulcio leaf (RFC 6962 precertificate SCTs): proof that the
// certificate was logged by a CT log the trusted root names.
#pragma once

#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::crypto {

// Succeeds when at least one SCT embedded in `leaf` verifies with a log of `ctlogs` (matched by log id,
// valid at the SCT's time) over the precertificate reconstructed with `issuer`'s key hash. No SCT, or
// none that verifies, is an error saying which.
Result<void> verify_embedded_scts(const Certificate& leaf, const Certificate& issuer,
                                  const std::vector<TransparencyLog>& ctlogs);

}  // namespace signet::crypto
