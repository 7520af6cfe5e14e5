// Helpers for the JMESPath tests: evaluate on JSON text, and the error message of a failing expression.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "policy/jmespath/jmespath.hpp"

namespace jmespath_test {

using signet::policy::json::Value;

inline Value data(const std::string& text) {
  auto parsed = signet::policy::json::parse(text);
  REQUIRE(parsed.ok());
  return *parsed;
}

// The result of `expression` on `json`, failing the test when it errors.
inline Value eval(const std::string& expression, const std::string& json = "{}") {
  auto result = signet::policy::jmespath::search(expression, data(json));
  if (!result) FAIL(expression << ": " << result.error().message);
  return *result;
}

inline std::string text(const std::string& expression, const std::string& json = "{}") {
  return signet::policy::json::to_json(eval(expression, json));
}

// The error message of `expression`, or "" when it succeeds.
inline std::string error_of(const std::string& expression, const std::string& json = "{}") {
  auto result = signet::policy::jmespath::search(expression, data(json));
  return result ? std::string() : result.error().message;
}

}  // namespace jmespath_test
