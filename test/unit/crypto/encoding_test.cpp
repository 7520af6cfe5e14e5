#include "crypto/encoding.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "openssl_signer.hpp"

using signet::crypto::base64_decode;
using signet::crypto::base64_encode;
using signet::crypto::hex_encode;
using signet::crypto::hex_decode;

namespace {

std::string decoded(std::string_view text) {
  auto result = base64_decode(text);
  REQUIRE(result.ok());
  return *result;
}

std::string decode_error(std::string_view text) {
  auto result = base64_decode(text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  return result.error().message;
}

}  // namespace

TEST_CASE("base64 decodes the RFC 4648 test vectors", "[crypto][base64]") {
  CHECK(decoded("") == "");
  CHECK(decoded("Zg==") == "f");
  CHECK(decoded("Zm8=") == "fo");
  CHECK(decoded("Zm9v") == "foo");
  CHECK(decoded("Zm9vYg==") == "foob");
  CHECK(decoded("Zm9vYmE=") == "fooba");
  CHECK(decoded("Zm9vYmFy") == "foobar");
}

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[crypto][base64]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 agrees with OpenSSL on every byte value and length", "[crypto][base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t length = 0; length <= all.size(); length += (length < 8 ? 1 : 37)) {
    const auto bytes = all.substr(all.size() - length);
    const auto expected = signet::test::openssl_base64(bytes);
    CHECK(base64_encode(bytes) == expected);
    CHECK(decoded(expected) == bytes);
  }
}

TEST_CASE("base64 tolerates surrounding whitespace and line breaks inside", "[crypto][base64]") {
  CHECK(decoded("  Zm9vYmFy\n") == "foobar");
  CHECK(decoded("\t\r\nZm9v\r\nYmFy\r\n") == "foobar");
  CHECK(decoded("Zm\n9vYg\n==") == "foob");
  CHECK(decoded("Zm9vYg=\n=") == "foob");
  CHECK(decoded(" \n ") == "");
}

TEST_CASE("base64 refuses a stray character, naming it and its offset", "[crypto][base64]") {
  auto message = decode_error("Zm9v*mFy");
  CHECK(message == "invalid base64: unexpected '*' at offset 4");
  CHECK(decode_error("Zm9v YmFy") == "invalid base64: unexpected a space at offset 4");
  CHECK(decode_error("Zm9v\tYmFy") == "invalid base64: unexpected a tab at offset 4");
  CHECK(decode_error(std::string("Zm9v\0mFy", 8)) == "invalid base64: unexpected byte 0x00 at offset 4");
  // The URL-safe alphabet is a different encoding, not a variant to guess at.
  CHECK(decode_error("Zm-v") == "invalid base64: unexpected '-' at offset 2");
  CHECK(decode_error("Zm_v") == "invalid base64: unexpected '_' at offset 2");
  // Offsets count from the start of the input, leading whitespace included.
  CHECK(decode_error("  Zm9v!") == "invalid base64: unexpected '!' at offset 6");
}

TEST_CASE("base64 refuses missing, short or misplaced padding", "[crypto][base64]") {
  CHECK_THAT(decode_error("Zm9vY"), Catch::Contains("middle of a 4-character group"));
  CHECK_THAT(decode_error("Zg"), Catch::Contains("missing '=' padding"));
  CHECK_THAT(decode_error("Zg="), Catch::Contains("incomplete padding"));
  CHECK_THAT(decode_error("Z==="), Catch::Contains("'=' at offset 1 where data is expected"));
  CHECK_THAT(decode_error("===="), Catch::Contains("'=' at offset 0"));
  CHECK_THAT(decode_error("Zg==Zm9v"), Catch::Contains("unexpected 'Z' at offset 4 after the '=' padding"));
  CHECK_THAT(decode_error("Zm8=="), Catch::Contains("unexpected '=' at offset 4 after the '=' padding"));
  CHECK_THAT(decode_error("Zm9v Zg=="), Catch::Contains("a space at offset 4"));
}

TEST_CASE("hex encoding is lowercase with two digits per byte", "[crypto][hex]") {
  CHECK(hex_encode("") == "");
  CHECK(hex_encode(std::string("\x00\x01\x7f\x80\xab\xff", 6)) == "00017f80abff");
}

TEST_CASE("hex decoding takes either case and names what is not hex", "[crypto][hex]") {
  CHECK(hex_decode("00017F80abFF").value() == std::string("\x00\x01\x7f\x80\xab\xff", 6));
  CHECK(hex_decode("").value().empty());
  CHECK(hex_decode("abc").error().message == "has an odd number of hex digits");
  CHECK(hex_decode("00g1").error().message == "is not hex (at character 3)");
  CHECK(hex_decode("+1").error().message == "is not hex (at character 1)");
  CHECK(hex_decode("0g").error().message == "is not hex (at character 2)");
}
