// libFuzzer target: Rekor's signed entry timestamps are checked over canonical JSON that signet writes
// from entries an image's signature carries. The writer must never crash, and what it writes is already
// canonical: canonicalising it again gives the same bytes (anything else would let two encodings of one
// entry disagree about a signature).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/canonical_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto canonical = signet::crypto::canonical_json(input);
  if (!canonical) return 0;
  auto again = signet::crypto::canonical_json(*canonical);
  if (!again || *again != *canonical) __builtin_trap();
  return 0;
}
