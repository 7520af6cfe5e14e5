#include <string>

#include <catch2/catch.hpp>

#include "oci/manifest.hpp"

using signet::oci::parse_image_manifest;

namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');

std::string manifest_error(const std::string& json) {
  auto manifest = parse_image_manifest(json);
  INFO(json);
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.error().kind == signet::Error::Kind::Invalid);
  return manifest.error().message;
}

}  // namespace

TEST_CASE("a cosign signature manifest gives its layers and their annotations", "[oci][manifest]") {
  const std::string json = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":233,"digest":")" +
                           kA + R"("},
    "layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":252,"digest":")" +
                           kB + R"(",
      "annotations":{"dev.cosignproject.cosign/signature":"MEUCIQ=="}}]})";
  auto manifest = parse_image_manifest(json);
  REQUIRE(manifest.ok());
  CHECK(manifest->media_type == "application/vnd.oci.image.manifest.v1+json");
  CHECK(manifest->config.digest == kA);
  CHECK(manifest->config.size == 233);
  REQUIRE(manifest->layers.size() == 1);
  CHECK(manifest->layers[0].media_type == "application/vnd.dev.cosign.simplesigning.v1+json");
  CHECK(manifest->layers[0].digest == kB);
  CHECK(manifest->layers[0].size == 252);
  CHECK(manifest->layers[0].annotations.at("dev.cosignproject.cosign/signature") == "MEUCIQ==");
}

TEST_CASE("Docker v2 manifests and manifests without mediaType are read", "[oci][manifest]") {
  const std::string layers = R"("config":{"mediaType":"c","size":1,"digest":")" + kA + R"("},"layers":[])";
  CHECK(parse_image_manifest(
            R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)" + layers + "}")
            .ok());
  auto bare = parse_image_manifest(R"({"schemaVersion":2,)" + layers + "}");
  REQUIRE(bare.ok());
  CHECK(bare->media_type.empty());
  CHECK(bare->layers.empty());
}

TEST_CASE("indexes and unknown manifest types are refused", "[oci][manifest]") {
  CHECK_THAT(
      manifest_error(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})"),
      Catch::Contains("got an index"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,"manifests":[]})"), Catch::Contains("got an index"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,"mediaType":"text/plain"})"),
             Catch::Contains("unsupported manifest mediaType"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":1})"), Catch::Contains("schemaVersion is not 2"));
}

TEST_CASE("malformed manifests are refused naming the field", "[oci][manifest]") {
  const std::string config = R"("config":{"mediaType":"c","size":1,"digest":")" + kA + R"("})";
  CHECK_THAT(manifest_error("{"), Catch::Contains("not valid JSON"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2} trailing)"), Catch::Contains("not valid JSON"));
  CHECK_THAT(manifest_error("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,"layers":[]})"), Catch::Contains("no config"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,)" + config + "}"), Catch::Contains("no layers array"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,)" + config +
                            R"(,"layers":[{"mediaType":"m","size":1,"digest":"sha256:12"}]})"),
             Catch::Contains("layers[0].digest"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,)" + config + R"(,"layers":[{"mediaType":"m","size":-1,"digest":")" +
                            kB + R"("}]})"),
             Catch::Contains("layers[0].size"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,)" + config + R"(,"layers":[{"size":1,"digest":")" + kB + R"("}]})"),
             Catch::Contains("layers[0].mediaType"));
  CHECK_THAT(manifest_error(R"({"schemaVersion":2,)" + config + R"(,"layers":[{"mediaType":"m","size":1,"digest":")" +
                            kB + R"(","annotations":{"k":1}}]})"),
             Catch::Contains("annotations[\"k\"] is not a string"));
}

TEST_CASE("deeply nested JSON is refused without exhausting the stack", "[oci][manifest]") {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  CHECK_THAT(manifest_error(deep), Catch::Contains("not a JSON object"));
}
