#include <catch2/catch.hpp>

#include "crypto/canonical_json.hpp"

using signet::crypto::canonical_json;

namespace {

std::string canonical(std::string_view json) {
  auto out = canonical_json(json);
  INFO(json);
  REQUIRE(out.ok());
  return *out;
}

}  // namespace

TEST_CASE("members are ordered by their UTF-16 code units, as RFC 8785 §3.2.3 sorts them", "[crypto][jcs]") {
  // The RFC's example: the emoji (a surrogate pair, 0xD83D…) sorts before U+FB33, although its code
  // point is higher; "\r" and "1" come first.
  const std::string input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  const std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  CHECK(canonical(input) == expected);
}

TEST_CASE("strings keep JSON.stringify's escapes only (RFC 8785 §3.2.2.2 example)", "[crypto][jcs]") {
  const std::string input = R"({
    "literals": [null, true, false],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"
  })";
  CHECK(canonical(input) ==
        "{\"literals\":[null,true,false],\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST_CASE("control characters get the short escapes where JSON has them and u00xx escapes otherwise", "[crypto][jcs]") {
  CHECK(canonical(R"(["\b\f\n\r\t", "\u0001\u001f", "\u007f"])") ==
        "[\"\\b\\f\\n\\r\\t\",\"\\u0001\\u001f\",\"\x7f\"]");
  // U+2028 and U+2029 stay as they are (JSON.stringify does not escape them).
  CHECK(canonical(R"("\u2028\u2029")") == "\"\xE2\x80\xA8\xE2\x80\xA9\"");
}

TEST_CASE("whitespace goes, nesting and array order stay", "[crypto][jcs]") {
  CHECK(canonical(" { \"b\" : [ 3 , { \"d\" : 1 , \"c\" : 2 } ] , \"a\" : { } } ") ==
        R"({"a":{},"b":[3,{"c":2,"d":1}]})");
  CHECK(canonical("  \"top\"  ") == "\"top\"");
  CHECK(canonical("[]") == "[]");
}

TEST_CASE("the signed entry timestamp payload of a Rekor bundle is canonicalized as Rekor signs it", "[crypto][jcs]") {
  CHECK(canonical(R"({"logIndex": 783606, "body": "eyJh", "logID": "c0d23d6a", "integratedTime": 1634714179})") ==
        R"({"body":"eyJh","integratedTime":1634714179,"logID":"c0d23d6a","logIndex":783606})");
}

TEST_CASE("integers are written in their shortest form, negative and 64-bit ones too", "[crypto][jcs]") {
  CHECK(canonical("[0, -0, -12, 9007199254740993, 18446744073709551615]") ==
        "[0,0,-12,9007199254740993,18446744073709551615]");
}

TEST_CASE("numbers with a fraction or an exponent are refused, naming where", "[crypto][jcs]") {
  auto fraction = canonical_json(R"({"a": {"b": [1, 2.5]}})");
  REQUIRE_FALSE(fraction.ok());
  CHECK_THAT(fraction.error().message, Catch::Contains("$.a.b[1]"));
  CHECK_FALSE(canonical_json("1e3").ok());
  CHECK_FALSE(canonical_json("[1.0]").ok());
}

TEST_CASE("a member name given twice has no canonical form and is refused", "[crypto][jcs]") {
  auto twice = canonical_json(R"({"x": {"k": 1, "k": 2}})");
  REQUIRE_FALSE(twice.ok());
  CHECK_THAT(twice.error().message, Catch::Contains("\"k\" twice") && Catch::Contains("$.x"));
  // The same name spelled with an escape is the same name.
  CHECK_FALSE(canonical_json(R"({"a": 1, "\u0061": 2})").ok());
}

TEST_CASE("input that is not JSON or not UTF-8 is refused", "[crypto][jcs]") {
  CHECK_FALSE(canonical_json("{\"a\":").ok());
  CHECK_FALSE(canonical_json("").ok());
  CHECK_FALSE(canonical_json("\"\xff\"").ok());
  CHECK_FALSE(canonical_json(R"("\ud800")").ok());  // a lone surrogate
}

TEST_CASE("a lone low surrogate escape is refused, in a value and in a member name", "[crypto][jcs]") {
  // The parser would take it, but no UTF-8 spells it: the output would not read back as JSON.
  auto value = canonical_json(R"({"a": ["x\udc00"]})");
  REQUIRE_FALSE(value.ok());
  CHECK_THAT(value.error().message, Catch::Contains("surrogate") && Catch::Contains("$.a[0]"));
  auto name = canonical_json(R"({"b": {"\ude00": 1}})");
  REQUIRE_FALSE(name.ok());
  CHECK_THAT(name.error().message, Catch::Contains("member name") && Catch::Contains("$.b"));
  // A pair is one character beyond U+FFFF, written as UTF-8.
  CHECK(canonical(R"(["\ud83d\ude00"])") == "[\"\xf0\x9f\x98\x80\"]");
}

TEST_CASE("nesting beyond the depth limit is refused rather than exhausting the stack", "[crypto][jcs]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto out = canonical_json(deep);
  REQUIRE_FALSE(out.ok());
  CHECK_THAT(out.error().message, Catch::Contains("nested deeper"));
  const std::string fine = std::string(100, '[') + std::string(100, ']');
  CHECK(canonical(fine) == fine);
}
