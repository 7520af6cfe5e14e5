#include "crypto/simple_signing.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "crypto/digest.hpp"
#include "crypto/json_numbers.hpp"

namespace signet::crypto {
namespace {

using rapidjson::Value;

// Deep enough for any real `optional` value, shallow enough that nothing here recurses far.
constexpr int kMaxPayloadDepth = 32;

std::string_view view(const Value& string) { return {string.GetString(), string.GetStringLength()}; }

std::string type_name(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "unknown";
}

std::string join(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field) : path + "." + std::string(field);
}

// Refuses duplicate members (two parsers may keep different copies) and deep nesting, walking
// the document without recursion.
Result<void> check_structure(const Value& root) {
  struct Pending {
    const Value* value;
    std::string path;
    int depth;
  };
  std::vector<Pending> pending{{&root, "", 1}};
  while (!pending.empty()) {
    auto [value, path, depth] = std::move(pending.back());
    pending.pop_back();
    if (depth > kMaxPayloadDepth) {
      return Error::invalid("the payload nests deeper than " + std::to_string(kMaxPayloadDepth) + " levels at " + path);
    }
    if (value->IsObject()) {
      std::set<std::string_view> seen;
      for (const auto& member : value->GetObject()) {
        if (!seen.insert(view(member.name)).second) {
          return Error::invalid("duplicate field '" + std::string(view(member.name)) + "' in " +
                                (path.empty() ? "the payload" : path));
        }
        pending.push_back({&member.value, join(path, view(member.name)), depth + 1});
      }
    } else if (value->IsArray()) {
      std::size_t index = 0;
      for (const auto& element : value->GetArray()) {
        pending.push_back({&element, path + "[" + std::to_string(index++) + "]", depth + 1});
      }
    }
  }
  return success();
}

// Every member of `object` (at `path`) must be one of `allowed`.
Result<void> check_known_fields(const Value& object, const std::string& path,
                                std::initializer_list<std::string_view> allowed) {
  for (const auto& member : object.GetObject()) {
    bool known = false;
    for (auto name : allowed) known = known || view(member.name) == name;
    if (!known) {
      std::string list;
      for (auto name : allowed) list += (list.empty() ? "'" : ", '") + std::string(name) + "'";
      return Error::invalid("unknown field '" + std::string(view(member.name)) + "' in " +
                            (path.empty() ? "the payload" : path) + " (expected only " + list + ")");
    }
  }
  return success();
}

Result<const Value*> member(const Value& object, const std::string& path, std::string_view name, rapidjson::Type type) {
  const std::string full = join(path, name);
  const auto found = object.FindMember(Value(rapidjson::StringRef(name.data(), name.size())));
  if (found == object.MemberEnd()) return Error::invalid(full + " is missing");
  const Value& value = found->value;
  const bool right = type == rapidjson::kObjectType ? value.IsObject() : value.IsString();
  if (!right) {
    return Error::invalid(full + " is " + type_name(value) + ", not " +
                          (type == rapidjson::kObjectType ? "an object" : "a string"));
  }
  return &value;
}

Result<std::string> payload_string(const Value& object, const std::string& path, std::string_view name) {
  auto value = member(object, path, name, rapidjson::kStringType);
  if (!value) return value.error();
  return std::string(view(**value));
}

std::string json_text(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

Result<SimpleSigningPayload> parse_simple_signing(std::string_view json) {
  if (auto numbers = check_json_numbers(json); !numbers) return numbers.error().context("the payload");
  rapidjson::Document document;
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
  document.Parse<kFlags>(json.data(), json.size());
  if (document.HasParseError()) {
    return Error::invalid(
        "the payload is not valid JSON: " + std::string(rapidjson::GetParseError_En(document.GetParseError())) +
        " (at offset " + std::to_string(document.GetErrorOffset()) + ")");
  }
  if (!document.IsObject()) {
    return Error::invalid("the payload is " + type_name(document) + ", not a JSON object");
  }
  if (auto ok = check_structure(document); !ok) return ok.error();
  if (auto ok = check_known_fields(document, "", {"critical", "optional"}); !ok) return ok.error();

  auto critical = member(document, "", "critical", rapidjson::kObjectType);
  if (!critical) return critical.error();
  if (auto ok = check_known_fields(**critical, "critical", {"identity", "image", "type"}); !ok) {
    return ok.error();
  }

  SimpleSigningPayload payload;
  auto identity = member(**critical, "critical", "identity", rapidjson::kObjectType);
  if (!identity) return identity.error();
  if (auto ok = check_known_fields(**identity, "critical.identity", {"docker-reference"}); !ok) {
    return ok.error();
  }
  auto reference = payload_string(**identity, "critical.identity", "docker-reference");
  if (!reference) return reference.error();
  payload.docker_reference = std::move(*reference);

  auto image = member(**critical, "critical", "image", rapidjson::kObjectType);
  if (!image) return image.error();
  if (auto ok = check_known_fields(**image, "critical.image", {"docker-manifest-digest"}); !ok) {
    return ok.error();
  }
  auto digest = payload_string(**image, "critical.image", "docker-manifest-digest");
  if (!digest) return digest.error();
  if (!is_valid_digest(*digest)) {
    return Error::invalid("critical.image.docker-manifest-digest is not a valid digest: '" + *digest + "'");
  }
  payload.manifest_digest = std::move(*digest);

  auto type = payload_string(**critical, "critical", "type");
  if (!type) return type.error();
  payload.type = std::move(*type);

  // cosign writes "optional": null when a signature has no annotations.
  const auto optional = document.FindMember("optional");
  if (optional != document.MemberEnd() && !optional->value.IsNull()) {
    if (!optional->value.IsObject()) {
      return Error::invalid("optional is " + type_name(optional->value) + ", not an object or null");
    }
    for (const auto& entry : optional->value.GetObject()) {
      payload.optional.emplace(std::string(view(entry.name)),
                               entry.value.IsString() ? std::string(view(entry.value)) : json_text(entry.value));
    }
  }
  return payload;
}

Result<void> check_claims(const SimpleSigningPayload& payload, std::string_view image_digest) {
  if (payload.type != kCosignSignatureType) {
    return Error::invalid("the signature's payload has type '" + payload.type + "', not '" +
                          std::string(kCosignSignatureType) + "'");
  }
  if (!is_valid_digest(image_digest)) {
    return Error::invalid("the image digest '" + std::string(image_digest) + "' is not a valid digest");
  }
  if (payload.manifest_digest != image_digest) {
    return Error::invalid("the signature's payload names " + payload.manifest_digest + ", not the image digest " +
                          std::string(image_digest));
  }
  return success();
}

}  // namespace signet::crypto
