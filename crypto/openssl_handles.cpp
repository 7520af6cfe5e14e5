#include "crypto/openssl_handles.hpp"

#include <openssl/err.h>

namespace signet::crypto {

std::string take_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    if (!text.empty()) text += "; ";
    // The reason alone ("wrong tag") reads better in a message than the packed error string.
    if (const char* reason = ERR_reason_error_string(code)) {
      text += reason;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof buffer);
      text += buffer;
    }
  }
  return text.empty() ? "no details" : text;
}

}  // namespace signet::crypto
