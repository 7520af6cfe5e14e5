// An oci::Registry over an OCI image layout folder (image-spec image-layout.md: `oci-layout`,
// `index.json`, `blobs/<alg>/<hex>`), so `signet test` can verify images and their cosign signatures,
// attestations and referrers kept on disk, without a registry.
//
// Naming convention: an entry of index.json is found by its `org.opencontainers.image.ref.name`
// annotation holding a full reference "REGISTRY/REPO:TAG", as `skopeo copy … oci:DIR:REGISTRY/REPO:TAG`
// writes it (names are normalised as image references are: "nginx:1.25" is
// "docker.io/library/nginx:1.25"). Cosign's signatures and attestations are the entries named
// "REGISTRY/REPO:sha256-<hex>.sig" and ".att", the tags cosign gives them in a registry. Referrers are
// the entries whose image manifest has a `subject`, whatever their name (a layout has no repositories to
// scope them by). Entries without a name are only reachable as referrers or by digest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "oci/manifest.hpp"
#include "oci/reference.hpp"
#include "oci/registry.hpp"
#include "oci/registry_options.hpp"

namespace signet::oci {

class LayoutRegistry final : public Registry {
 public:
  // Reads `oci-layout` and `index.json` of `dir`. Only the caps of `options` are used (manifests and
  // index.json: max_manifest_bytes; layers: max_blob_bytes; layers or referrers per image:
  // max_signatures). A missing or malformed file, or two entries with one name, is an error naming it.
  static Result<std::unique_ptr<LayoutRegistry>> open(const std::filesystem::path& dir, RegistryOptions options);

  boost::asio::awaitable<Result<std::string>> resolve_digest(const Reference& image, Pull pull) override;
  boost::asio::awaitable<Result<std::vector<CosignSignature>>> cosign_signatures(
      const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) override;
  boost::asio::awaitable<Result<std::vector<CosignLayer>>> cosign_attestations(
      const Reference& image, const std::optional<std::string>& signature_repository, Pull pull) override;
  boost::asio::awaitable<Result<std::vector<CosignLayer>>> artifact_layers(const Reference& artifact,
                                                                           Pull pull) override;
  boost::asio::awaitable<Result<std::vector<Referrer>>> referrers(const Reference& image,
                                                                  const std::string& artifact_type, Pull pull) override;

  // The synchronous forms of the calls above (the layout is plain file I/O).
  Result<std::string> digest_of(const Reference& image) const;
  Result<std::vector<CosignLayer>> cosign_layers(const Reference& image,
                                                 const std::optional<std::string>& signature_repository,
                                                 std::string_view suffix) const;
  Result<std::vector<CosignLayer>> layers_of(const std::string& manifest_digest, std::uint64_t size) const;
  Result<std::vector<Referrer>> referrers_of(const std::string& digest, const std::string& artifact_type) const;

 private:
  struct Entry {
    Reference name;  // registry, repository and tag of its ref.name; empty registry when it has none
    Descriptor descriptor;
  };
  struct Passkey {};  // only open() constructs

 public:
  LayoutRegistry(Passkey, std::filesystem::path dir, RegistryOptions options, std::vector<Entry> entries);

 private:
  const Entry* find(const std::string& registry, const std::string& repository, const std::string& tag) const;
  // The blob's bytes, refused when over `cap`, when its size is not `size` (0 = unknown) or when it does
  // not hash to `digest`.
  Result<std::string> read_blob(const std::string& digest, std::uint64_t size, std::size_t cap,
                                std::string_view cap_name) const;

  std::filesystem::path dir_;
  RegistryOptions options_;
  std::vector<Entry> entries_;
};

}  // namespace signet::oci
