#include <catch2/catch.hpp>

#include "crypto/encoding.hpp"
#include "manifest_test_support.hpp"
#include "policy/manifests/message.hpp"
#include "policy/manifests/verifier.hpp"

namespace signet::policy::manifest {
namespace {

// Kyverno's test-service2 (a gzipped tar made by kubectl sigstore) and test-service3 (plain YAML).
constexpr std::string_view kTarMessage =
    "H4sIAAAAAAAA/wAuAdH+H4sIAAAAAAAA/+yPPW7rMBCEVesUewE90aJ+bHYPqQMYiJE2YKS1IlgUid21E/v0geggVeDK7vQ1M+RMsUPI/"
    "kgtZjz0mbjw72zdmNwXpZSqyzJqU1dRVXF9R6t1siq11rouikYnShdNrRJQd77jT44slhKl6HDs/I0ei93vb+Q/W341P1nK937skDg/"
    "V3lVrvXb5Li5VO+duHZz+HJOf37M5X7Kd3nrXSBkHqY+E0tZf8lQ4UYXVVPrrnjA9BkbhlckHvxk4LRKD8PUGXhBOg0tpg7FdlasSQEm69CAIEvG17"
    "hIOWA7Z8GT8GyyaA2sVQoAEMiLb/1oYPe0jT9iqUfZxtJGN3UKwDhiK55MLNgQDDyf/4eQPmjxwsLCwsLMdwAAAP//a1+4aAAIAAABAAD//"
    "9BEPkguAQAA";
constexpr std::string_view kPlainMessage =
    "H4sIAAAAAAAA/ySKTarDMAwG9zrFd4HAewT6o13puhBo6V44opgmtrBEoLcvcXfDzIjlpzbPtTC2f3rnMjPu2raclFYNmSWECSiyKiPUY/"
    "BfHslN096stvAdho6M0x8BgLUaNdWF8bhO3YS0l8bUp/N4PBDgumiK2rgPYsa4fS5m9A0AAP//mX2z9ZsAAAA=";

}  // namespace

TEST_CASE("a message of gzipped tar yields the YAML files inside", "[manifest][message]") {
  auto message = decode_message(kTarMessage);
  REQUIRE(message.ok());
  CHECK(is_gzip(message->signed_bytes));  // the signature covers the inner archive
  REQUIRE(message->yaml_files.size() == 1);
  CHECK_THAT(message->yaml_files.front(),
             Catch::StartsWith("apiVersion: v1\nkind: Service\nmetadata:\n  name: test-service2"));
}

TEST_CASE("a message of plain YAML is the signed bytes themselves", "[manifest][message]") {
  auto message = decode_message(kPlainMessage);
  REQUIRE(message.ok());
  REQUIRE(message->yaml_files.size() == 1);
  CHECK(message->yaml_files.front() == message->signed_bytes);
  CHECK_THAT(message->signed_bytes, Catch::Contains("name: test-service3"));
}

TEST_CASE("encode_message and decode_message round-trip", "[manifest][message]") {
  const std::string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
  auto message = decode_message(encode_message(yaml));
  REQUIRE(message.ok());
  CHECK(message->signed_bytes == yaml);
}

TEST_CASE("a gzip bomb is refused by size", "[manifest][message][hostile]") {
  const std::string zeros(64 * 1024 * 1024, '\0');
  const std::string bomb = crypto::base64_encode(gzip(zeros));
  CHECK(bomb.size() < 200 * 1024);
  auto message = decode_message(bomb);
  REQUIRE_FALSE(message.ok());
  CHECK_THAT(message.error().message, Catch::Contains("exceeds"));
  // A bomb one level down, inside the signed bytes, is refused as well.
  auto nested = decode_message(crypto::base64_encode(gzip(gzip(zeros))));
  REQUIRE_FALSE(nested.ok());
  CHECK_THAT(nested.error().message, Catch::Contains("exceeds"));
}

TEST_CASE("malformed messages are errors naming the step", "[manifest][message][hostile]") {
  auto not_base64 = decode_message("not base64 at all!");
  REQUIRE_FALSE(not_base64.ok());
  CHECK_THAT(not_base64.error().message, Catch::Contains("not base64"));

  const std::string whole = gzip("apiVersion: v1\nkind: ConfigMap\n");
  auto truncated = decode_message(crypto::base64_encode(whole.substr(0, whole.size() / 2)));
  REQUIRE_FALSE(truncated.ok());
  CHECK_THAT(truncated.error().message, Catch::Contains("gzip"));

  // An inner archive whose tar header claims more bytes than there are.
  std::string tar(1024, '\0');
  tar.replace(0, 5, "a.yml");
  tar.replace(124, 11, "77777777777");
  tar[156] = '0';
  auto overrun = decode_message(crypto::base64_encode(gzip(gzip(tar))));
  REQUIRE_FALSE(overrun.ok());
  CHECK_THAT(overrun.error().message, Catch::Contains("tar"));
}

TEST_CASE("tar_files reads regular files and skips directories", "[manifest][message]") {
  auto header = [](std::string name, char type, std::size_t size) {
    std::string block(512, '\0');
    block.replace(0, name.size(), name);
    char octal[12];
    std::snprintf(octal, sizeof octal, "%011zo", size);
    block.replace(124, 11, octal);
    block[156] = type;
    return block;
  };
  std::string archive = header("dir/", '5', 0);
  archive += header("dir/a.yaml", '0', 5) + std::string("a: 1\n") + std::string(507, '\0');
  archive += header("dir/b.yaml", '0', 5) + std::string("b: 2\n") + std::string(507, '\0');
  archive += std::string(1024, '\0');
  auto files = tar_files(archive);
  REQUIRE(files.ok());
  CHECK(*files == std::vector<std::string>{"a: 1\n", "b: 2\n"});
}

}  // namespace signet::policy::manifest

namespace signet::policy::manifest {

TEST_CASE("split_documents splits at document markers and drops empty pieces", "[manifest][message]") {
  auto pieces = split_documents("# head\n---\na: 1\n--- \nb: 2\n---\n# only a comment\n--- c: 3\n...\n");
  REQUIRE(pieces.ok());
  REQUIRE(pieces->size() == 3);
  CHECK((*pieces)[0] == "---\na: 1\n");
  CHECK((*pieces)[2].starts_with("--- c: 3"));
  CHECK_FALSE(split_documents("a: 1\n---\nb: 2\n", 1).ok());
}

TEST_CASE("a signed message of stray flow tokens is an error, not a hang", "[manifest][message][hostile]") {
  // yaml-cpp 0.7's LoadAll never returns on ",": the verifier must not use it.
  ManifestValidation rule;
  rule.attestors.push_back(AttestorSet{});
  const auto object = testing::object_of(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    cosign.sigstore.dev/message: \"" +
      encode_message(",") + "\"\n    cosign.sigstore.dev/signature: \"AA==\"\n");
  const auto verdict = verify(rule, object);
  CHECK(verdict.status != Verdict::Status::Pass);
}

}  // namespace signet::policy::manifest
