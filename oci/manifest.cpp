#include "oci/manifest.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "oci/reference.hpp"

namespace signet::oci {
namespace {

Result<Descriptor> parse_descriptor(const rapidjson::Value& value, const std::string& where) {
  if (!value.IsObject()) return Error::invalid(where + " is not an object");
  Descriptor out;
  const auto media = value.FindMember("mediaType");
  if (media == value.MemberEnd() || !media->value.IsString()) return Error::invalid(where + ".mediaType is missing");
  out.media_type.assign(media->value.GetString(), media->value.GetStringLength());
  const auto digest = value.FindMember("digest");
  if (digest == value.MemberEnd() || !digest->value.IsString()) return Error::invalid(where + ".digest is missing");
  out.digest.assign(digest->value.GetString(), digest->value.GetStringLength());
  if (auto ok = check_digest_syntax(out.digest); !ok) return ok.error().context(where + ".digest");
  const auto size = value.FindMember("size");
  if (size == value.MemberEnd() || !size->value.IsUint64()) {
    return Error::invalid(where + ".size is missing or not a non-negative integer");
  }
  out.size = size->value.GetUint64();
  if (const auto type = value.FindMember("artifactType"); type != value.MemberEnd()) {
    if (!type->value.IsString()) return Error::invalid(where + ".artifactType is not a string");
    out.artifact_type.assign(type->value.GetString(), type->value.GetStringLength());
  }
  if (const auto annotations = value.FindMember("annotations"); annotations != value.MemberEnd()) {
    if (annotations->value.IsNull()) return out;
    if (!annotations->value.IsObject()) return Error::invalid(where + ".annotations is not an object");
    for (const auto& a : annotations->value.GetObject()) {
      std::string key(a.name.GetString(), a.name.GetStringLength());
      if (!a.value.IsString()) return Error::invalid(where + ".annotations[\"" + key + "\"] is not a string");
      out.annotations.emplace(std::move(key), std::string(a.value.GetString(), a.value.GetStringLength()));
    }
  }
  return out;
}

// The document as a schemaVersion 2 JSON object. Iterative parsing: a hostile, deeply nested document
// cannot exhaust the stack.
Result<void> parse_document(rapidjson::Document& doc, std::string_view json, std::string_view what) {
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string(what) +
                          " is not valid JSON: " + rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid(std::string(what) + " is not a JSON object");
  const auto version = doc.FindMember("schemaVersion");
  if (version == doc.MemberEnd() || !version->value.IsInt() || version->value.GetInt() != 2) {
    return Error::invalid(std::string(what) + " schemaVersion is not 2");
  }
  return success();
}

}  // namespace

Result<ImageManifest> parse_image_manifest(std::string_view json) {
  rapidjson::Document doc;
  if (auto ok = parse_document(doc, json, "manifest"); !ok) return ok.error();
  ImageManifest out;
  if (const auto media = doc.FindMember("mediaType"); media != doc.MemberEnd()) {
    if (!media->value.IsString()) return Error::invalid("manifest mediaType is not a string");
    out.media_type.assign(media->value.GetString(), media->value.GetStringLength());
    if (out.media_type == media_type::kOciIndex || out.media_type == media_type::kDockerManifestList) {
      return Error::invalid("expected an image manifest, got an index (" + out.media_type + ")");
    }
    if (out.media_type != media_type::kOciManifest && out.media_type != media_type::kDockerManifest) {
      return Error::invalid("unsupported manifest mediaType \"" + out.media_type + "\"");
    }
  } else if (doc.HasMember("manifests")) {
    return Error::invalid("expected an image manifest, got an index");
  }
  const auto config = doc.FindMember("config");
  if (config == doc.MemberEnd()) return Error::invalid("manifest has no config");
  auto config_descriptor = parse_descriptor(config->value, "manifest config");
  if (!config_descriptor) return config_descriptor.error();
  out.config = std::move(*config_descriptor);
  const auto layers = doc.FindMember("layers");
  if (layers == doc.MemberEnd() || !layers->value.IsArray()) return Error::invalid("manifest has no layers array");
  const auto& array = layers->value.GetArray();
  out.layers.reserve(array.Size());
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    auto layer = parse_descriptor(array[i], "manifest layers[" + std::to_string(i) + "]");
    if (!layer) return layer.error();
    out.layers.push_back(std::move(*layer));
  }
  if (const auto type = doc.FindMember("artifactType"); type != doc.MemberEnd() && type->value.IsString()) {
    out.artifact_type.assign(type->value.GetString(), type->value.GetStringLength());
  }
  return out;
}

Result<ImageIndex> parse_image_index(std::string_view json) {
  rapidjson::Document doc;
  if (auto ok = parse_document(doc, json, "index"); !ok) return ok.error();
  ImageIndex out;
  if (const auto media = doc.FindMember("mediaType"); media != doc.MemberEnd()) {
    if (!media->value.IsString()) return Error::invalid("index mediaType is not a string");
    out.media_type.assign(media->value.GetString(), media->value.GetStringLength());
    if (out.media_type != media_type::kOciIndex && out.media_type != media_type::kDockerManifestList) {
      return Error::invalid("expected an index, got \"" + out.media_type + "\"");
    }
  }
  const auto manifests = doc.FindMember("manifests");
  if (manifests == doc.MemberEnd() || !manifests->value.IsArray())
    return Error::invalid("index has no manifests array");
  const auto& array = manifests->value.GetArray();
  out.manifests.reserve(array.Size());
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    auto manifest = parse_descriptor(array[i], "index manifests[" + std::to_string(i) + "]");
    if (!manifest) return manifest.error();
    out.manifests.push_back(std::move(*manifest));
  }
  return out;
}

}  // namespace signet::oci
