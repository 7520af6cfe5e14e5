// libFuzzer target: the `message` annotation of a signed manifest comes with any object a user may
// create. base64 → gzip → (gzip → tar) → YAML must give a value or an error, never a crash, a hang or
// unbounded memory. A first byte of 0 feeds the rest as raw bytes (base64-encoded here), so the fuzzer
// reaches the gzip and tar readers quickly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "crypto/encoding.hpp"
#include "policy/manifests/message.hpp"

namespace {

// Visits every node, as reading the documents into JSON does.
std::size_t count_nodes(const YAML::Node& node, int depth) {
  if (depth > 64) return 1;
  std::size_t count = 1;
  if (node.IsMap()) {
    for (const auto& item : node) count += count_nodes(item.first, depth + 1) + count_nodes(item.second, depth + 1);
  } else if (node.IsSequence()) {
    for (const auto& item : node) count += count_nodes(item, depth + 1);
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string annotation;
  if (!input.empty() && input[0] == '\0') {
    annotation = signet::crypto::base64_encode(input.substr(1));
  } else {
    annotation = std::string(input);
  }
  auto message = signet::policy::manifest::decode_message(annotation, 1024 * 1024);
  if (!message) return 0;
  for (const auto& file : message->yaml_files) {
    try {
      auto pieces = signet::policy::manifest::split_documents(file);
      if (!pieces) continue;
      for (const auto& piece : *pieces) (void)count_nodes(YAML::Load(piece), 0);
    } catch (const YAML::Exception&) {
    }
  }
  return 0;
}
