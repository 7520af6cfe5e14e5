// libFuzzer target: token responses come from whatever realm a registry's challenge names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/token_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (const auto grant = signet::oci::parse_token_response(body)) {
    // What goes into a header is always header-safe, and lifetimes stay in range.
    if (!signet::oci::is_usable_token(grant->token)) __builtin_trap();
    if (grant->lifetime.count() < 1 || grant->lifetime.count() > 24 * 3600) __builtin_trap();
    (void)signet::oci::remaining_lifetime(*grant, std::chrono::system_clock::now());
  }
  (void)signet::oci::parse_rfc3339(body);
  return 0;
}
