// UnixTime in the forms certificates and messages carry it: ASN.1 UTCTime/GeneralizedTime, and text.
#pragma once

#include <openssl/asn1.h>

#include <optional>
#include <string>

#include "crypto/trusted_root.hpp"

namespace signet::crypto {

// "2024-05-01T12:00:00Z", for messages.
std::string format_utc(UnixTime time);

// An ASN.1 time as seconds since the epoch (fractions of a second dropped); nullopt when unreadable.
std::optional<UnixTime> from_asn1_time(const ASN1_TIME* time);

}  // namespace signet::crypto
