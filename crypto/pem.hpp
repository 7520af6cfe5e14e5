// PEM text (RFC 7468): the labelled base64 blocks keys and certificates travel in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace signet::crypto {

struct PemBlock {
  std::string label;  // "PUBLIC KEY", "CERTIFICATE", ...
  std::string der;    // the decoded body
  std::size_t line;   // 1-based line of its BEGIN line, for messages
};

// Every block of `text`, in order. Blank lines and indentation (as YAML block scalars leave them)
// are fine; any other text outside a block, an unclosed block or a body that is not base64 is an
// error naming the line. Text without any block is an error too.
Result<std::vector<PemBlock>> parse_pem_blocks(std::string_view text);

}  // namespace signet::crypto
