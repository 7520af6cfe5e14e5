#include "policy/image_extractor.hpp"

#include "policy/jmespath/jmespath.hpp"

namespace signet::policy {
namespace {

// RFC 6901: "~" and "/" escaped in a pointer segment.
std::string pointer_segment(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Result<void> extract(const json::Value& node, std::size_t depth, const std::string& pointer,
                     const ImageExtractor& extractor, std::vector<ImageUse>& out) {
  if (node.is_null()) return success();
  if (depth < extractor.fields.size() && extractor.fields[depth] == "*") {
    if (node.is_array()) {
      const auto& items = node.as_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (auto ok = extract(items[i], depth + 1, pointer + "/" + std::to_string(i), extractor, out); !ok) return ok;
      }
      return success();
    }
    if (node.is_object()) {
      for (const auto& [key, value] : node.as_object()) {
        if (auto ok = extract(value, depth + 1, pointer + "/" + pointer_segment(key), extractor, out); !ok) return ok;
      }
      return success();
    }
    return Error::invalid("imageExtractors: " + pointer + " is neither a list nor an object");
  }
  if (!node.is_object()) return Error::invalid("imageExtractors: " + pointer + " is not an object");
  if (depth < extractor.fields.size()) {
    const std::string& field = extractor.fields[depth];
    const json::Value* child = node.find(field);
    if (child == nullptr) return success();
    return extract(*child, depth + 1, pointer + "/" + pointer_segment(field), extractor, out);
  }
  const json::Value* value = node.find(extractor.value);
  if (value == nullptr || !value->is_string() || value->as_string().find_first_not_of(" \t") == std::string::npos) {
    return success();  // the image may not be there
  }
  std::string image_pointer = pointer + "/" + pointer_segment(extractor.value);
  std::string key = image_pointer;
  if (!extractor.key.empty()) {
    const json::Value* named = node.find(extractor.key);
    if (named == nullptr || !named->is_string()) {
      return Error::invalid("imageExtractors: " + pointer + "/" + extractor.key + " (the key) is not a string");
    }
    key = named->as_string();
  }
  std::string image = value->as_string();
  if (!extractor.jmes_path.empty()) {
    auto result = jmespath::search(extractor.jmes_path, *value);
    if (!result) return result.error().context("imageExtractors: jmesPath " + extractor.jmes_path);
    if (!result->is_string()) {
      return Error::invalid("imageExtractors: jmesPath " + extractor.jmes_path + " must produce a string, got " +
                            json::to_json(*result));
    }
    image = result->as_string();
    image_pointer.clear();
  }
  out.push_back({std::move(image), std::move(image_pointer), std::move(key), extractor.name});
  return success();
}

}  // namespace

Result<std::vector<ImageUse>> extract_images(const json::Value& object, const std::vector<ImageExtractor>& extractors) {
  std::vector<ImageUse> out;
  for (const auto& extractor : extractors) {
    if (auto ok = extract(object, 0, "", extractor, out); !ok) return ok.error();
  }
  return out;
}

}  // namespace signet::policy
