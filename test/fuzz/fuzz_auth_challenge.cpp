// libFuzzer target: WWW-Authenticate headers come from any registry signet is pointed at.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci/auth_challenge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto challenges = signet::oci::parse_auth_challenges(header);
  if (!challenges) return 0;
  // What the parser promises: bounded, and every challenge has a lowercase scheme.
  if (challenges->empty() || challenges->size() > 16 || size > 8 * 1024) __builtin_trap();
  for (const auto& challenge : *challenges) {
    if (challenge.scheme.empty() || challenge.params.size() > 32) __builtin_trap();
    for (const char c : challenge.scheme) {
      if (c >= 'A' && c <= 'Z') __builtin_trap();
    }
    (void)challenge.param("realm");
  }
  return 0;
}
