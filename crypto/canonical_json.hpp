// RFC 8785 canonical JSON (JCS): what Rekor signs its signed entry timestamps over.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::crypto {

// Object members sorted by their UTF-16 code units, no whitespace, strings with JCS's minimal escapes,
// integers as written (numbers with a fraction or exponent are refused: nothing sigstore signs has them).
Result<std::string> canonical_json(std::string_view json);

}  // namespace signet::crypto
