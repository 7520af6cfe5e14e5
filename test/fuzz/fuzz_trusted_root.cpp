// libFuzzer target: a trusted_root.json comes from a file, a policy or a TUF mirror. Parsing it, and
// reading the certificate authorities it names into pools, must never crash whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/certificate.hpp"
#include "crypto/trusted_root.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace signet::crypto;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto root = parse_trusted_root(input);
  if (!root) return 0;
  for (const auto& authority : root->certificate_authorities) (void)pool_of(authority);
  for (const auto& authority : root->timestamp_authorities) (void)pool_of(authority);
  for (const auto& log : root->tlogs) {
    // Every log parse_trusted_root returns is found again by its own id.
    if (root->find_tlog(log.log_id) == nullptr) __builtin_trap();
  }
  for (const auto& log : root->ctlogs) {
    if (root->find_ctlog(log.log_id) == nullptr) __builtin_trap();
  }
  return 0;
}
