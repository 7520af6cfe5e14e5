// Sigstore trust material: a `trusted_root.json` (protobuf-specs TrustedRoot, media type
// application/vnd.dev.sigstore.trustedroot+json;version=0.1) naming the Fulcio certificate authorities,
// the Rekor transparency logs, the certificate-transparency logs and the timestamp authorities, each
// trusted only within its validity period.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/public_key.hpp"
#include "crypto/result.hpp"

namespace signet::crypto {

// Seconds since the Unix epoch, UTC: every time a signature is checked at (Rekor's integratedTime, a
// timestamp's genTime, a certificate's validity).
using UnixTime = std::chrono::sys_seconds;

// `validFor`: a missing start is refused when parsing; a missing end means "still valid". Both ends are
// inclusive, as sigstore-go's.
struct ValidityPeriod {
  UnixTime start;
  std::optional<UnixTime> end;
  bool contains(UnixTime t) const { return start <= t && (!end || t <= *end); }
};

// A Fulcio CA (`certificateAuthorities[]`) or a TSA (`timestampAuthorities[]`): its chain as DER
// certificates, first the one closest to the leaves, last the root.
struct CertificateAuthority {
  std::string uri;
  std::vector<std::string> chain_der;
  ValidityPeriod valid_for;
};

// A Rekor log (`tlogs[]`) or a CT log (`ctlogs[]`).
struct TransparencyLog {
  std::string base_url;
  std::string log_id;  // raw bytes of `logId.keyId` (SHA-256 of the key's DER SPKI for Rekor v1 and CT)
  PublicKey key;
  ValidityPeriod valid_for;
};

struct TrustedRoot {
  std::vector<CertificateAuthority> certificate_authorities;
  std::vector<TransparencyLog> tlogs;
  std::vector<TransparencyLog> ctlogs;
  std::vector<CertificateAuthority> timestamp_authorities;

  // The log with this raw log id, or nullptr.
  const TransparencyLog* find_tlog(std::string_view log_id) const;
  const TransparencyLog* find_ctlog(std::string_view log_id) const;
};

// Parses a trusted_root.json. Errors name the field ("tlogs[1].publicKey.rawBytes: …"). Keys of a type
// signet cannot use are an error, not skipped: a root that cannot be honoured whole is refused.
Result<TrustedRoot> parse_trusted_root(std::string_view json);

// Sigstore's public-good trusted root, embedded at build time; parsed once.
std::string_view public_good_trusted_root_json();
const TrustedRoot& public_good_trusted_root();

}  // namespace signet::crypto
