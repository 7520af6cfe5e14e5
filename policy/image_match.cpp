#include "policy/image_match.hpp"

#include <algorithm>

#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {
namespace {

// Kyverno's addDefaultRegistry: a first path component that is not a host gets "docker.io/".
std::string with_default_registry(std::string_view name) {
  const std::size_t slash = name.find('/');
  if (slash == std::string_view::npos) return "docker.io/" + std::string(name);
  const std::string_view first = name.substr(0, slash);
  const bool is_host = first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                       std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  return is_host ? std::string(name) : "docker.io/" + std::string(name);
}

// The repository part of an image as written: no "@digest", no ":tag".
std::string_view repository_as_written(std::string_view written) {
  written = written.substr(0, written.find('@'));
  const std::size_t colon = written.rfind(':');
  const std::size_t slash = written.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    written = written.substr(0, colon);
  }
  return written;
}

void add_unique(std::vector<std::string>& names, std::string name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
}

bool any_name_matches(const std::vector<std::string>& patterns, const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return wildcard_match_any(patterns, name); });
}

}  // namespace

std::string kyverno_image_name(std::string_view written, const oci::Reference& reference) {
  std::string name = with_default_registry(repository_as_written(written));
  if (!reference.digest.empty()) return name + "@" + reference.digest;
  return name + ":" + (reference.tag.empty() ? std::string("latest") : reference.tag);
}

ImageNames image_names(std::string_view written, const oci::Reference& reference) {
  ImageNames names{std::string(written), {}};
  add_unique(names.canonical, kyverno_image_name(written, reference));
  const std::string full = reference.name();
  if (!reference.digest.empty()) add_unique(names.canonical, full + "@" + reference.digest);
  if (!reference.tag.empty()) add_unique(names.canonical, full + ":" + reference.tag);
  add_unique(names.canonical, reference.str());
  return names;
}

ImageNames unparsed_image_names(std::string_view written) {
  return ImageNames{std::string(written), {with_default_registry(written)}};
}

bool covers(const ImageVerification& entry, const ImageNames& names) {
  return wildcard_match_any(entry.image_references, names.written) ||
         any_name_matches(entry.image_references, names.canonical);
}

bool skips(const ImageVerification& entry, const ImageNames& names) {
  return any_name_matches(entry.skip_image_references, names.canonical);
}

}  // namespace signet::policy
