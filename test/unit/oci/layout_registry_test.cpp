// LayoutRegistry over layouts built by test/support/make_layout.py: images found by their full reference,
// cosign signatures and attestations by their sha256-<hex> names, referrers by subject, and every blob
// checked against its digest and the caps.
#include "oci/layout_registry.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "crypto/digest.hpp"
#include "test_registry.hpp"

namespace signet::oci {
namespace {

using test::error_of;
using test::image_ref;
using test::run_ok;
using test::support_command;

const std::string kKey = std::string(SIGNET_SOURCE_DIR) + "/deploy/examples/demo-keys/demo.pem";

// A layout with a signed and attested image and an unsigned one.
struct SignedLayout {
  test::TempDir temp;
  std::string dir = temp / "layout";
  std::string signed_digest =
      run_ok(support_command("make_layout.py", {dir, "image", "registry.example/team/app:v1", "--text", "signed"}));
  std::string unsigned_digest =
      run_ok(support_command("make_layout.py", {dir, "image", "registry.example/team/app:v2"}));
  std::string signature_manifest =
      run_ok(support_command("make_layout.py", {dir, "sign", "registry.example/team/app:v1", kKey}));

  std::unique_ptr<LayoutRegistry> open(RegistryOptions options = {}) const {
    auto registry = LayoutRegistry::open(dir, std::move(options));
    REQUIRE(registry.ok());
    return std::move(*registry);
  }
  std::string blob_path(const std::string& digest) const { return dir + "/blobs/sha256/" + digest.substr(7); }
};

void overwrite(const std::string& path, const std::string& content) {
  std::filesystem::permissions(path, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

template <class T>
T run(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  return test::run_until_done(io, std::move(work));
}

}  // namespace

TEST_CASE("a tag resolves to the digest of the index entry naming the full reference", "[layout]") {
  SignedLayout layout;
  auto registry = layout.open();
  auto digest = run(registry->resolve_digest(image_ref("registry.example/team/app:v1"), test::soon()));
  REQUIRE(digest.ok());
  CHECK(*digest == layout.signed_digest);
  CHECK(*run(registry->resolve_digest(image_ref("registry.example/team/app:v2"), test::soon())) ==
        layout.unsigned_digest);
}

TEST_CASE("short names in the layout are normalised as image references", "[layout]") {
  test::TempDir temp;
  const std::string dir = temp / "layout";
  const std::string digest =
      run_ok(support_command("make_layout.py", {dir, "image", "docker.io/library/nginx:1.25", "--text", "n"}));
  auto registry = LayoutRegistry::open(dir, {});
  REQUIRE(registry.ok());
  CHECK((*registry)->digest_of(image_ref("nginx:1.25")).value() == digest);
}

TEST_CASE("a tag the layout does not name is an error naming the reference", "[layout]") {
  SignedLayout layout;
  auto error = error_of(layout.open()->digest_of(image_ref("registry.example/team/app:v3")));
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains("registry.example/team/app:v3"));
  CHECK_THAT(error.message, Catch::Contains("org.opencontainers.image.ref.name"));
}

TEST_CASE("the cosign signatures of an image are the layers of its sha256-<hex>.sig entry", "[layout]") {
  SignedLayout layout;
  auto registry = layout.open();
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto signatures = run(registry->cosign_signatures(image, std::nullopt, test::soon()));
  REQUIRE(signatures.ok());
  REQUIRE(signatures->size() == 1);
  const auto& signature = signatures->front();
  CHECK(signature.media_type == "application/vnd.dev.cosign.simplesigning.v1+json");
  CHECK_THAT(signature.payload, Catch::Contains(layout.signed_digest));
  CHECK(signature.annotations.count("dev.cosignproject.cosign/signature") == 1);
}

TEST_CASE("an image without signatures or attestations has none, not an error", "[layout]") {
  SignedLayout layout;
  auto registry = layout.open();
  auto image = image_ref("registry.example/team/app:v2").with_digest(layout.unsigned_digest);
  auto signatures = run(registry->cosign_signatures(image, std::nullopt, test::soon()));
  REQUIRE(signatures.ok());
  CHECK(signatures->empty());
  auto attestations = run(registry->cosign_attestations(image, std::nullopt, test::soon()));
  REQUIRE(attestations.ok());
  CHECK(attestations->empty());
}

TEST_CASE("attestations are read from the sha256-<hex>.att entry", "[layout]") {
  SignedLayout layout;
  const std::string predicate = layout.temp / "predicate.json";
  std::ofstream(predicate) << R"({"builder":{"id":"ci"}})";
  run_ok(support_command("make_layout.py", {layout.dir, "sign", "registry.example/team/app:v1", kKey, "--attest",
                                            predicate, "--type", "https://slsa.dev/provenance/v0.2"}));
  auto registry = layout.open();
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto attestations = run(registry->cosign_attestations(image, std::nullopt, test::soon()));
  REQUIRE(attestations.ok());
  REQUIRE(attestations->size() == 1);
  CHECK(attestations->front().media_type == "application/vnd.dsse.envelope.v1+json");
  CHECK(attestations->front().annotations.at("predicateType") == "https://slsa.dev/provenance/v0.2");
}

TEST_CASE("signatures kept under another repository are found there", "[layout]") {
  SignedLayout layout;
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto elsewhere = layout.open()->cosign_layers(image, std::string("registry.example/team/signatures"), ".sig");
  REQUIRE(elsewhere.ok());
  CHECK(elsewhere->empty());
  auto same = layout.open()->cosign_layers(image, std::string("registry.example/team/app"), ".sig");
  REQUIRE(same.ok());
  CHECK(same->size() == 1);
}

TEST_CASE("a layer whose bytes do not match its digest is refused", "[layout]") {
  SignedLayout layout;
  auto registry = layout.open();
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto layers = registry->cosign_layers(image, std::nullopt, ".sig");
  REQUIRE(layers.ok());
  const std::string payload_digest = crypto::sha256_digest(layers->front().payload);
  std::string tampered = layers->front().payload;
  tampered[tampered.size() / 2] ^= 0x01;
  overwrite(layout.blob_path(payload_digest), tampered);
  auto error = error_of(registry->cosign_layers(image, std::nullopt, ".sig"));
  CHECK(error.kind == Error::Kind::Invalid);
  CHECK_THAT(error.message, Catch::Contains(payload_digest.substr(7)));
}

TEST_CASE("a tampered signature manifest is refused", "[layout]") {
  SignedLayout layout;
  auto registry = layout.open();
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  const std::string path = layout.blob_path(layout.signature_manifest);
  std::string manifest = test::read_file(path);
  manifest[manifest.size() - 2] = ' ';
  overwrite(path, manifest);
  CHECK_FALSE(registry->cosign_layers(image, std::nullopt, ".sig").ok());
}

TEST_CASE("a layer over the layer cap is refused naming the cap", "[layout]") {
  SignedLayout layout;
  RegistryOptions options;
  options.max_blob_bytes = 64;
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto error = error_of(layout.open(options)->cosign_layers(image, std::nullopt, ".sig"));
  CHECK_THAT(error.message, Catch::Contains("over the cap of 64"));
  CHECK_THAT(error.message, Catch::Contains("--max-layer-bytes"));
}

TEST_CASE("more layers than max_signatures are refused", "[layout]") {
  SignedLayout layout;
  run_ok(support_command("make_layout.py", {layout.dir, "sign", "registry.example/team/app:v1", kKey}));
  RegistryOptions options;
  options.max_signatures = 1;
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto error = error_of(layout.open(options)->cosign_layers(image, std::nullopt, ".sig"));
  CHECK_THAT(error.message, Catch::Contains("more than max_signatures (1)"));
  CHECK(layout.open()->cosign_layers(image, std::nullopt, ".sig")->size() == 2);
}

TEST_CASE("referrers are the manifests whose subject is the image", "[layout]") {
  SignedLayout layout;
  const std::string file = layout.temp / "sbom.json";
  std::ofstream(file) << R"({"spdxVersion":"SPDX-2.3"})";
  const std::string referrer = run_ok(
      support_command("make_layout.py", {layout.dir, "attach", "registry.example/team/app:v1", "--layer",
                                         "application/spdx+json=" + file, "--artifact-type", "application/spdx+json"}));
  auto registry = layout.open();
  auto image = image_ref("registry.example/team/app:v1").with_digest(layout.signed_digest);
  auto all = run(registry->referrers(image, "", test::soon()));
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK(all->front().digest == referrer);
  CHECK(all->front().artifact_type == "application/spdx+json");
  CHECK(run(registry->referrers(image, "application/vnd.other", test::soon()))->empty());
  auto other = image_ref("registry.example/team/app:v2").with_digest(layout.unsigned_digest);
  CHECK(run(registry->referrers(other, "", test::soon()))->empty());

  auto layers = run(registry->artifact_layers(image.with_digest(referrer), test::soon()));
  REQUIRE(layers.ok());
  REQUIRE(layers->size() == 1);
  CHECK(layers->front().payload == R"({"spdxVersion":"SPDX-2.3"})");
}

TEST_CASE("a folder that is not an OCI layout is refused naming the file", "[layout]") {
  test::TempDir temp;
  auto error = error_of(LayoutRegistry::open(temp.path(), {}));
  CHECK_THAT(error.message, Catch::Contains("oci-layout"));
  CHECK_THAT(error.message, Catch::Contains(temp.path()));

  SignedLayout layout;
  overwrite(layout.dir + "/index.json", "{\"schemaVersion\": 2, \"manifests\": 3}");
  CHECK_THAT(error_of(LayoutRegistry::open(layout.dir, {})).message, Catch::Contains("index.json"));
}

TEST_CASE("an index naming one reference twice is refused", "[layout]") {
  SignedLayout layout;
  std::string index = test::read_file(layout.dir + "/index.json");
  const std::string entry = index.substr(index.find("{\"mediaType\""),
                                         index.find('}', index.find("annotations")) - index.find("{\"mediaType\"") + 2);
  index.insert(index.find("{\"mediaType\""), entry + ", ");
  overwrite(layout.dir + "/index.json", index);
  CHECK_THAT(error_of(LayoutRegistry::open(layout.dir, {})).message, Catch::Contains("twice"));
}

}  // namespace signet::oci
