#include <catch2/catch.hpp>

#include "policy/jmespath/json_value.hpp"

using namespace signet::policy;

TEST_CASE("JSON parses into values and prints back compactly", "[policy][json]") {
  auto value = json::parse(R"({"b": [1, 2.5, "x", null, true], "a": {"n": -3}})");
  REQUIRE(value.ok());
  CHECK(value->is_object());
  CHECK(value->find("b")->as_array().size() == 5);
  CHECK(value->find("a")->find("n")->as_number() == -3);
  CHECK(value->find("missing") == nullptr);
  // Members keep their order; integral numbers print without a fraction.
  CHECK(json::to_json(*value) == R"({"b":[1,2.5,"x",null,true],"a":{"n":-3}})");
}

TEST_CASE("JSON equality ignores member order and compares numbers by value", "[policy][json]") {
  CHECK(*json::parse(R"({"a":1,"b":[2]})") == *json::parse(R"({"b":[2.0],"a":1})"));
  CHECK_FALSE(*json::parse(R"({"a":1})") == *json::parse(R"({"a":"1"})"));
  CHECK_FALSE(*json::parse(R"([1,2])") == *json::parse(R"([2,1])"));
}

TEST_CASE("truthiness follows JMESPath", "[policy][json]") {
  for (const char* falsy : {"false", "null", "\"\"", "[]", "{}"}) CHECK_FALSE(json::parse(falsy)->truthy());
  for (const char* truthy : {"true", "0", "\"a\"", "[0]", "{\"a\":null}"}) CHECK(json::parse(truthy)->truthy());
}

TEST_CASE("malformed or too deep JSON is refused with where", "[policy][json]") {
  CHECK_THAT(json::parse("{\"a\":").error().message, Catch::Contains("offset"));
  CHECK_THAT(json::parse("\"\xff\"").error().message, Catch::Contains("invalid JSON"));
  const std::string deep = std::string(600, '[') + std::string(600, ']');
  CHECK_THAT(json::parse(deep).error().message, Catch::Contains("deeper than 512"));
  CHECK(json::parse(std::string(100, '[') + std::string(100, ']')).ok());
}

TEST_CASE("a document with a number below 1e-300 is refused rather than crashing the reader", "[policy][json]") {
  auto tiny = json::parse(R"({"spec": {"x": 0.)" + std::string(50, '0') + "1e-300}}");
  REQUIRE_FALSE(tiny.ok());
  CHECK_THAT(tiny.error().message, Catch::Contains("invalid JSON") && Catch::Contains("1e-300"));
}
