// Hostile expressions: deep nesting, huge slices, exponential values. Each must end in an error or a
// result, never a crash or a hang.
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "jmespath_test_support.hpp"

using namespace jmespath_test;
using Catch::Matchers::StartsWith;
namespace jp = signet::policy::jmespath;

TEST_CASE("deeply nested expressions are syntax errors, not stack overflows", "[jmespath][hostile]") {
  for (const std::string open : {"(", "[", "!", "{a:", "f(", "&"}) {
    std::string expression;
    for (int i = 0; i < 100000; ++i) expression += open;
    auto compiled = jp::compile(expression);
    INFO(open);
    REQUIRE_FALSE(compiled.ok());
    CHECK_THAT(compiled.error().message, StartsWith("syntax: "));
  }
  std::string nested = "a";
  for (int i = 0; i < 300; ++i) nested = "(" + nested + ")";
  CHECK_THAT(jp::compile(nested).error().message, Catch::Matchers::Contains("nested deeper"));
}

TEST_CASE("syntax errors name the column", "[jmespath][hostile]") {
  CHECK(error_of("foo.") == "syntax: unexpected the end of the expression at column 5");
  CHECK(error_of("a = b") == "syntax: '=' is not an operator (use '==') at column 3");
  CHECK_THAT(error_of("foo[0:1:0]"), StartsWith("invalid-value: "));
}

TEST_CASE("huge slice bounds and steps are answered without iterating them", "[jmespath][hostile]") {
  CHECK(text("[0:9223372036854775807:9223372036854775807]", "[1,2,3]") == "[1]");
  CHECK(text("[::-9223372036854775807]", "[1,2,3]") == "[3]");
  CHECK(text("[-9223372036854775807:]", "[1,2,3]") == "[1,2,3]");
  CHECK_THAT(error_of("[99999999999999999999]", "[1]"), StartsWith("syntax: "));
}

TEST_CASE("values that double at each step run out of the work budget", "[jmespath][hostile]") {
  std::string doubling = "@";
  for (int i = 0; i < 60; ++i) doubling += " | [@, @]";
  // Building the value is cheap (the halves are shared); walking or printing it is not.
  CHECK(eval(doubling + " | length(@)", "1").as_number() == 2);
  CHECK_THAT(error_of(doubling + " | to_string(@)", "1"), StartsWith("invalid-value"));
  CHECK_THAT(error_of(doubling + " | [][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][]", "1"),
             StartsWith("invalid-value"));
  CHECK(eval(doubling + " | @ == @", "1").as_bool());
}

TEST_CASE("one compiled expression is evaluated from several threads at once", "[jmespath]") {
  auto compiled = jp::compile("items[?size > `2`].name | sort(@) | join(',', @)");
  REQUIRE(compiled.ok());
  const Value input =
      data(R"({"items": [{"name": "c", "size": 3}, {"name": "a", "size": 9}, {"name": "b", "size": 1}]})");
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto result = jp::search(**compiled, input);
        results[t] = result ? result->as_string() : result.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) CHECK(result == "a,c");
}
