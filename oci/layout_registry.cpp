#include "oci/layout_registry.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include <rapidjson/document.h>

#include "crypto/digest.hpp"

namespace signet::oci {
namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";

// A whole file, refused unread when larger than `cap`.
Result<std::string> read_capped(const std::filesystem::path& path, std::size_t cap, std::string_view what,
                                std::string_view cap_name) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error::invalid(std::string(what) + " " + path.string() + " is missing or unreadable");
  if (size > cap)
    return Error::invalid(std::string(what) + " " + path.string() + " is " + std::to_string(size) +
                          " bytes, over the cap of " + std::to_string(cap) + " (" + std::string(cap_name) + ")");
  std::ifstream file(path, std::ios::binary);
  std::string content(std::istreambuf_iterator<char>(file), {});
  if (!file && !file.eof()) return Error::invalid(std::string(what) + " " + path.string() + " could not be read");
  return content;
}

std::string manifest_string(const rapidjson::Value& doc, const char* name) {
  auto it = doc.FindMember(name);
  return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

}  // namespace

Result<std::unique_ptr<LayoutRegistry>> LayoutRegistry::open(const std::filesystem::path& dir,
                                                             RegistryOptions options) {
  const std::string where = "OCI layout " + dir.string();
  auto marker = read_capped(dir / "oci-layout", 64 * 1024, "the layout marker", "oci-layout");
  if (!marker) return marker.error().context(where);
  rapidjson::Document layout;
  layout.Parse(marker->data(), marker->size());
  if (layout.HasParseError() || !layout.IsObject() || manifest_string(layout, "imageLayoutVersion").empty())
    return Error::invalid(where + ": oci-layout is not {\"imageLayoutVersion\": …}");

  auto index_text = read_capped(dir / "index.json", options.max_manifest_bytes, "the index", "manifest cap");
  if (!index_text) return index_text.error().context(where);
  auto index = parse_image_index(*index_text);
  if (!index) return index.error().context(where + ": index.json");

  std::vector<Entry> entries;
  for (auto& descriptor : index->manifests) {
    Entry entry{{}, std::move(descriptor)};
    if (auto name = entry.descriptor.annotations.find(kRefName); name != entry.descriptor.annotations.end()) {
      auto reference = parse_reference(name->second);
      if (!reference)
        return reference.error().context(where + ": index.json names \"" + name->second +
                                         "\", not a full reference REGISTRY/REPO:TAG");
      if (reference->tag.empty() || !reference->digest.empty())
        return Error::invalid(where + ": index.json names \"" + name->second + "\": a ref name must end in a tag");
      for (const auto& other : entries) {
        if (other.name == *reference)
          return Error::invalid(where + ": index.json names " + reference->str() + " twice");
      }
      entry.name = std::move(*reference);
    }
    entries.push_back(std::move(entry));
  }
  return std::make_unique<LayoutRegistry>(Passkey{}, dir, std::move(options), std::move(entries));
}

LayoutRegistry::LayoutRegistry(Passkey, std::filesystem::path dir, RegistryOptions options, std::vector<Entry> entries)
    : dir_(std::move(dir)), options_(std::move(options)), entries_(std::move(entries)) {}

const LayoutRegistry::Entry* LayoutRegistry::find(const std::string& registry, const std::string& repository,
                                                  const std::string& tag) const {
  for (const auto& entry : entries_) {
    if (entry.name.registry == registry && entry.name.repository == repository && entry.name.tag == tag) return &entry;
  }
  return nullptr;
}

Result<std::string> LayoutRegistry::read_blob(const std::string& digest, std::uint64_t size, std::size_t cap,
                                              std::string_view cap_name) const {
  // The syntax check also keeps a hostile digest from naming a path outside blobs/.
  if (auto ok = check_digest_syntax(digest); !ok) return ok.error().context("blob " + digest);
  const auto colon = digest.find(':');
  const auto path = dir_ / "blobs" / digest.substr(0, colon) / digest.substr(colon + 1);
  auto content = read_capped(path, cap, "blob", cap_name);
  if (!content) return content.error();
  if (size != 0 && content->size() != size)
    return Error::invalid("blob " + path.string() + " is " + std::to_string(content->size()) +
                          " bytes, its descriptor says " + std::to_string(size));
  if (auto ok = crypto::check_digest(*content, digest); !ok) return ok.error().context("blob " + path.string());
  return content;
}

Result<std::string> LayoutRegistry::digest_of(const Reference& image) const {
  if (!image.digest.empty()) return image.digest;
  const Entry* entry = find(image.registry, image.repository, image.tag);
  if (!entry)
    return Error::invalid("OCI layout " + dir_.string() + ": no entry of index.json is named " + image.str() +
                          " (annotation " + kRefName + ")");
  return entry->descriptor.digest;
}

Result<std::vector<CosignLayer>> LayoutRegistry::layers_of(const std::string& manifest_digest,
                                                           std::uint64_t size) const {
  auto text = read_blob(manifest_digest, size, options_.max_manifest_bytes, "manifest cap");
  if (!text) return text.error();
  auto manifest = parse_image_manifest(*text);
  if (!manifest) return manifest.error().context("manifest " + manifest_digest);
  if (manifest->layers.size() > options_.max_signatures)
    return Error::invalid("manifest " + manifest_digest + " has " + std::to_string(manifest->layers.size()) +
                          " layers, more than max_signatures (" + std::to_string(options_.max_signatures) + ")");
  std::vector<CosignLayer> layers;
  for (const auto& layer : manifest->layers) {
    auto payload = read_blob(layer.digest, layer.size, options_.max_blob_bytes, "--max-layer-bytes");
    if (!payload) return payload.error().context("manifest " + manifest_digest);
    layers.push_back(CosignLayer{std::move(*payload), layer.media_type, layer.annotations});
  }
  return layers;
}

Result<std::vector<CosignLayer>> LayoutRegistry::cosign_layers(const Reference& image,
                                                               const std::optional<std::string>& signature_repository,
                                                               std::string_view suffix) const {
  if (auto ok = check_digest_syntax(image.digest); !ok) return ok.error().context(image.str());
  std::string registry = image.registry;
  std::string repository = image.repository;
  if (signature_repository) {
    auto parsed = parse_reference(*signature_repository);
    if (!parsed) return parsed.error().context("signature repository \"" + *signature_repository + "\"");
    registry = parsed->registry;
    repository = parsed->repository;
  }
  std::string tag = image.digest;
  tag[tag.find(':')] = '-';
  tag += suffix;
  const Entry* entry = find(registry, repository, tag);
  if (!entry) return std::vector<CosignLayer>{};
  auto layers = layers_of(entry->descriptor.digest, entry->descriptor.size);
  if (!layers) return layers.error().context("OCI layout " + dir_.string() + ", " + entry->name.str());
  return layers;
}

Result<std::vector<Referrer>> LayoutRegistry::referrers_of(const std::string& digest,
                                                           const std::string& artifact_type) const {
  if (auto ok = check_digest_syntax(digest); !ok) return ok.error().context("referrers");
  std::vector<Referrer> out;
  for (const auto& entry : entries_) {
    const auto& media = entry.descriptor.media_type;
    if (media != media_type::kOciManifest && media != media_type::kDockerManifest) continue;
    auto text = read_blob(entry.descriptor.digest, entry.descriptor.size, options_.max_manifest_bytes, "manifest cap");
    if (!text) return text.error().context("OCI layout " + dir_.string());
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(text->data(), text->size());
    if (doc.HasParseError() || !doc.IsObject())
      return Error::invalid("OCI layout " + dir_.string() + ": manifest " + entry.descriptor.digest + " is not JSON");
    auto subject = doc.FindMember("subject");
    if (subject == doc.MemberEnd() || !subject->value.IsObject() || manifest_string(subject->value, "digest") != digest)
      continue;
    auto manifest = parse_image_manifest(*text);
    if (!manifest) return manifest.error().context("manifest " + entry.descriptor.digest);
    std::string type = manifest->artifact_type.empty() ? manifest->config.media_type : manifest->artifact_type;
    if (!artifact_type.empty() && type != artifact_type) continue;
    Referrer referrer{entry.descriptor.digest, media, std::move(type), entry.descriptor.size, {}};
    if (auto annotations = doc.FindMember("annotations");
        annotations != doc.MemberEnd() && annotations->value.IsObject()) {
      for (const auto& a : annotations->value.GetObject()) {
        if (a.value.IsString()) referrer.annotations.emplace(a.name.GetString(), a.value.GetString());
      }
    }
    out.push_back(std::move(referrer));
  }
  if (out.size() > options_.max_signatures)
    return Error::invalid("OCI layout " + dir_.string() + ": " + std::to_string(out.size()) + " referrers of " +
                          digest + ", more than max_signatures (" + std::to_string(options_.max_signatures) + ")");
  return out;
}

boost::asio::awaitable<Result<std::string>> LayoutRegistry::resolve_digest(const Reference& image, Pull) {
  co_return digest_of(image);
}

boost::asio::awaitable<Result<std::vector<CosignSignature>>> LayoutRegistry::cosign_signatures(
    const Reference& image, const std::optional<std::string>& signature_repository, Pull) {
  co_return cosign_layers(image, signature_repository, ".sig");
}

boost::asio::awaitable<Result<std::vector<CosignLayer>>> LayoutRegistry::cosign_attestations(
    const Reference& image, const std::optional<std::string>& signature_repository, Pull) {
  co_return cosign_layers(image, signature_repository, ".att");
}

boost::asio::awaitable<Result<std::vector<CosignLayer>>> LayoutRegistry::artifact_layers(const Reference& artifact,
                                                                                         Pull) {
  if (auto ok = check_digest_syntax(artifact.digest); !ok) co_return ok.error().context(artifact.str());
  auto layers = layers_of(artifact.digest, 0);
  if (!layers) co_return layers.error().context("OCI layout " + dir_.string());
  co_return layers;
}

boost::asio::awaitable<Result<std::vector<Referrer>>> LayoutRegistry::referrers(const Reference& image,
                                                                                const std::string& artifact_type,
                                                                                Pull) {
  co_return referrers_of(image.digest, artifact_type);
}

}  // namespace signet::oci
