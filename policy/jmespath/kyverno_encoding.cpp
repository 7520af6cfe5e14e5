// Kyverno's encoding functions (pkg/engine/jmespath/functions.go): base64, JSON and YAML text, digests.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "crypto/encoding.hpp"
#include "policy/jmespath/kyverno_support.hpp"

namespace signet::policy::jmespath {
namespace {

Result<Value> fn_base64_decode(CallContext&, Args args) {
  auto decoded = crypto::base64_decode(str(args[0]));
  if (!decoded) return invalid_value("base64_decode", decoded.error().message);
  return Value(std::move(*decoded));
}

Result<Value> fn_base64_encode(CallContext&, Args args) { return Value(crypto::base64_encode(str(args[0]))); }

Result<Value> fn_parse_json(CallContext&, Args args) {
  auto parsed = json::parse(str(args[0]));
  if (!parsed) return invalid_value("parse_json", parsed.error().message);
  return std::move(*parsed);
}

// A plain (unquoted) scalar as YAML 1.1 reads it (go-yaml v2, under sigs.k8s.io/yaml): null, booleans
// (yes/no/on/off too), decimal numbers; anything else is a string.
Value plain_scalar(const std::string& text) {
  static const RE2 kNull("~|null|Null|NULL|");
  static const RE2 kTrue("y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON");
  static const RE2 kFalse("n|N|no|No|NO|false|False|FALSE|off|Off|OFF");
  static const RE2 kNumber(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (RE2::FullMatch(text, kNull)) return Value();
  if (RE2::FullMatch(text, kTrue)) return Value(true);
  if (RE2::FullMatch(text, kFalse)) return Value(false);
  if (RE2::FullMatch(text, kNumber)) {
    const double number = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(number)) return Value(number);
  }
  return Value(text);
}

// YAML as sigs.k8s.io/yaml turns it into JSON: YAML 1.1 plain scalars, other keys as their text.
Result<Value> yaml_to_value(CallContext& context, const YAML::Node& node, std::size_t depth) {
  if (auto ok = context.charge(1); !ok) return ok.error();
  if (depth > 512) return invalid_value("parse_yaml", "YAML nested deeper than 512 levels");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Value();
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return Value(text);
      return plain_scalar(text);
    }
    case YAML::NodeType::Sequence: {
      json::Array out;
      for (const auto& item : node) {
        auto value = yaml_to_value(context, item, depth + 1);
        if (!value) return value;
        out.push_back(std::move(*value));
      }
      return Value(std::move(out));
    }
    case YAML::NodeType::Map: {
      json::Object out;
      for (const auto& member : node) {
        if (!member.first.IsScalar()) return invalid_value("parse_yaml", "a mapping key must be a scalar");
        auto value = yaml_to_value(context, member.second, depth + 1);
        if (!value) return value;
        const std::string key = member.first.Scalar();
        auto same = std::find_if(out.begin(), out.end(), [&](const json::Member& m) { return m.first == key; });
        if (same != out.end()) {
          same->second = std::move(*value);
        } else {
          out.emplace_back(key, std::move(*value));
        }
      }
      return Value(std::move(out));
    }
  }
  return Value();
}

Result<Value> fn_parse_yaml(CallContext& context, Args args) {
  try {
    const YAML::Node root = YAML::Load(str(args[0]));
    return yaml_to_value(context, root, 0);
  } catch (const YAML::Exception& error) {
    return invalid_value("parse_yaml", error.what());
  }
}

Result<Value> digest(std::string_view function, const EVP_MD* md, const std::string& text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), out, &size, md, nullptr) != 1) {
    return invalid_value(function, "the digest could not be computed");
  }
  return Value(crypto::hex_encode(std::string_view(reinterpret_cast<const char*>(out), size)));
}

Result<Value> fn_sha256(CallContext&, Args args) { return digest("sha256", EVP_sha256(), str(args[0])); }
Result<Value> fn_sha1(CallContext&, Args args) { return digest("sha1", EVP_sha1(), str(args[0])); }
Result<Value> fn_md5(CallContext&, Args args) { return digest("md5", EVP_md5(), str(args[0])); }

}  // namespace

std::span<const Function> kyverno_encoding_functions() {
  static const std::vector<Function> kFunctions = {
      {"base64_decode", {kString}, false, fn_base64_decode, "string", "decodes a base 64 string"},
      {"base64_encode",
       {kString},
       false,
       fn_base64_encode,
       "string",
       "encodes a regular, plaintext and unencoded string to base64"},
      {"parse_json",
       {kString},
       false,
       fn_parse_json,
       "any",
       "decodes a valid JSON encoded string to the appropriate type. Opposite of `to_string` function"},
      {"parse_yaml",
       {kString},
       false,
       fn_parse_yaml,
       "any",
       "decodes a valid YAML encoded string to the appropriate type provided it can be represented as JSON"},
      {"sha256", {kString}, false, fn_sha256, "string", "generate unique resources name if length exceeds the limit"},
      {"sha1", {kString}, false, fn_sha1, "string", "generate a SHA-1 hash"},
      {"md5", {kString}, false, fn_md5, "string", "generates an MD5 hash"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
