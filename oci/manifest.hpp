// OCI / Docker image manifests as registries serve them: the descriptors signet follows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace signet::oci {

namespace media_type {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
}  // namespace media_type

struct Descriptor {
  std::string media_type;
  std::string digest;  // syntax-checked
  std::uint64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::string artifact_type;  // OCI 1.1 artifactType ("" when absent)
};

struct ImageManifest {
  std::string media_type;  // kOciManifest or kDockerManifest ("" when the document omits it)
  Descriptor config;
  std::vector<Descriptor> layers;
  std::string artifact_type;  // OCI 1.1 artifactType ("" when absent)
};

struct ImageIndex {
  std::string media_type;  // kOciIndex or kDockerManifestList ("" when the document omits it)
  std::vector<Descriptor> manifests;
};

// Parses an image manifest (schemaVersion 2, OCI or Docker). An index, another media type, a missing or
// ill-typed field, or a malformed digest is an Invalid error naming the field.
Result<ImageManifest> parse_image_manifest(std::string_view json);

// Parses an image index (schemaVersion 2, OCI or Docker manifest list), as the referrers API and its tag
// schema answer. An image manifest or a malformed descriptor is an Invalid error naming the field.
Result<ImageIndex> parse_image_index(std::string_view json);

}  // namespace signet::oci
