// Text encodings of binary values: base64 (cosign annotations, PEM bodies) and hex (digests).
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::crypto {

// Standard-alphabet base64 with padding. Whitespace around the value and line breaks inside it are
// skipped, as Go's decoder (and so cosign) does for wrapped annotations; any other stray character is
// an error naming its position in the input.
Result<std::string> base64_decode(std::string_view text);

std::string base64_encode(std::string_view bytes);
// base64 in either alphabet (standard or URL-safe), padded or not, as DSSE and Rekor bodies carry it.
Result<std::string> base64_decode_any(std::string_view text);

// Lowercase hex, two digits per byte.
std::string hex_encode(std::string_view bytes);
// Hex in either case; an odd length or a non-hex digit is an error naming its position (callers prefix
// what the value is with Error::context).
Result<std::string> hex_decode(std::string_view hex);

}  // namespace signet::crypto
