#include "crypto/digest.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "openssl_signer.hpp"

using namespace signet::crypto;

namespace {
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kAbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kAbcSha512 =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
}  // namespace

TEST_CASE("sha256 of the FIPS 180-2 examples", "[crypto][digest]") {
  CHECK(sha256_hex("") == kEmptySha256);
  CHECK(sha256_hex("abc") == kAbcSha256);
  CHECK(sha256_digest("abc") == "sha256:" + kAbcSha256);
}

TEST_CASE("incremental sha256 equals the one-shot digest however the input is split", "[crypto][digest]") {
  std::string body;
  for (int i = 0; i < 10000; ++i) body += static_cast<char>('a' + i % 26);
  for (std::size_t piece : {1u, 7u, 64u, 1000u, 10000u}) {
    Sha256 hasher;
    for (std::size_t at = 0; at < body.size(); at += piece) hasher.update(std::string_view(body).substr(at, piece));
    CHECK(hasher.final() == signet::test::openssl_sha256_digest(body));
  }
}

TEST_CASE("incremental sha256 starts over after final", "[crypto][digest]") {
  Sha256 hasher;
  hasher.update("ab");
  hasher.update("c");
  CHECK(hasher.final() == "sha256:" + kAbcSha256);
  CHECK(hasher.final() == "sha256:" + kEmptySha256);
  hasher.update("abc");
  Sha256 moved = std::move(hasher);
  CHECK(moved.final() == "sha256:" + kAbcSha256);
}

TEST_CASE("digests follow the OCI grammar and the registered algorithms' encodings", "[crypto][digest]") {
  CHECK(is_valid_digest("sha256:" + kAbcSha256));
  CHECK(is_valid_digest("sha512:" + kAbcSha512));
  // Unregistered algorithms need only fit the grammar (examples of the OCI image spec).
  CHECK(is_valid_digest("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
  CHECK(is_valid_digest("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));

  CHECK_FALSE(is_valid_digest(""));
  CHECK_FALSE(is_valid_digest(kAbcSha256));                        // no algorithm
  CHECK_FALSE(is_valid_digest("sha256:" + kAbcSha256.substr(1)));  // 63 digits
  CHECK_FALSE(is_valid_digest("sha256:" + kAbcSha256 + "0"));      // 65 digits
  CHECK_FALSE(is_valid_digest("sha512:" + kAbcSha256));            // sha256 length
  CHECK_FALSE(is_valid_digest("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  CHECK_FALSE(is_valid_digest("SHA256:" + kAbcSha256));
  CHECK_FALSE(is_valid_digest("sha256:"));
  CHECK_FALSE(is_valid_digest(":abc"));
  CHECK_FALSE(is_valid_digest("sha256-:abc"));
  CHECK_FALSE(is_valid_digest("sha256+:abc"));
  CHECK_FALSE(is_valid_digest("foo:a/b"));
  CHECK_FALSE(is_valid_digest("sha256:" + kAbcSha256 + "\n"));
}

TEST_CASE("check_digest accepts content that matches its sha256 or sha512 digest", "[crypto][digest]") {
  CHECK(check_digest("abc", "sha256:" + kAbcSha256).ok());
  CHECK(check_digest("abc", "sha512:" + kAbcSha512).ok());
}

TEST_CASE("check_digest names the expected and the actual digest on a mismatch", "[crypto][digest]") {
  auto result = check_digest("abd", "sha256:" + kAbcSha256);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  CHECK(result.error().message == "content does not match its digest: expected sha256:" + kAbcSha256 + ", got " +
                                      signet::test::openssl_sha256_digest("abd"));

  auto sha512 = check_digest("", "sha512:" + kAbcSha512);
  REQUIRE_FALSE(sha512.ok());
  CHECK_THAT(sha512.error().message, Catch::Contains("got sha512:cf83e1357eefb8bd"));
}

TEST_CASE("check_digest refuses invalid digests and unsupported algorithms", "[crypto][digest]") {
  auto invalid = check_digest("abc", "sha256:abc");
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().message == "'sha256:abc' is not a valid digest");

  auto unsupported = check_digest("abc", "sha384:abc");
  REQUIRE_FALSE(unsupported.ok());
  CHECK(unsupported.error().message ==
        "digest algorithm 'sha384' of sha384:abc is not supported (sha256 and sha512 are)");
}
