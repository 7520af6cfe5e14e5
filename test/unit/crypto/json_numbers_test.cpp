#include "crypto/json_numbers.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "crypto/canonical_json.hpp"
#include "crypto/simple_signing.hpp"

using signet::crypto::canonical_json;
using signet::crypto::check_json_numbers;
using signet::crypto::parse_simple_signing;

namespace {

// Numbers RapidJSON 1.1's full-precision reader crashes on: fifty zeros after the point then an exponent,
// and a long run of zeros alone.
const std::string kTinyWithExponent = "0." + std::string(50, '0') + "1e-300";
const std::string kLongZero = "0." + std::string(500, '0');

}  // namespace

TEST_CASE("numbers below 1e-300 are refused, naming where", "[crypto][json]") {
  auto tiny = check_json_numbers(R"({"a": [)" + kTinyWithExponent + "]}");
  REQUIRE_FALSE(tiny.ok());
  CHECK_THAT(tiny.error().message, Catch::Contains("offset 7") && Catch::Contains("1e-300"));
  CHECK_FALSE(check_json_numbers("[-" + kTinyWithExponent + "]").ok());
  CHECK_FALSE(check_json_numbers(kLongZero).ok());
  CHECK_FALSE(check_json_numbers("1e-301").ok());
}

TEST_CASE("ordinary numbers, and anything inside strings, pass the number check", "[crypto][json]") {
  CHECK(check_json_numbers(R"({"n": [0, -0, 1.5, 2e10, 1e-300, 0.000123, 18446744073709551616]})").ok());
  CHECK(check_json_numbers(R"({"s": ")" + kTinyWithExponent + R"(", "e": "\")" + kLongZero + R"("})").ok());
  CHECK(check_json_numbers("").ok());
}

TEST_CASE("a cosign payload or a canonicalised entry with such a number is refused, not a crash", "[crypto][json]") {
  const std::string payload =
      R"({"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:)" +
      std::string(64, 'a') + R"("},"type":"cosign container image signature"},"optional":{"n":)" + kTinyWithExponent +
      "}}";
  auto parsed = parse_simple_signing(payload);
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.error().message, Catch::Contains("the payload") && Catch::Contains("1e-300"));
  CHECK_FALSE(canonical_json("[" + kLongZero + "]").ok());
  CHECK_FALSE(canonical_json("[" + kTinyWithExponent + "]").ok());
}
