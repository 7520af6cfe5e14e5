// A guard for RapidJSON 1.1's full-precision number reader (kParseFullPrecisionFlag), which indexes its
// table of cached powers of ten with an exponent below -348 for a number written with enough zeros after
// the point (`0.` and fifty zeros then `1e-300`, or `0.` and five hundred zeros) and reads far outside it:
// a crash on any such document. Documents holding one are refused before they are parsed.
#pragma once

#include <string_view>

#include "crypto/result.hpp"

namespace signet::crypto {

// Invalid, naming the offset, when a JSON number in `json` has its first significant digit (its last
// digit, for a zero) below 10^-300; success otherwise, and for text that is not JSON (the parser says
// why). Strings are skipped, whatever they hold.
Result<void> check_json_numbers(std::string_view json);

}  // namespace signet::crypto
