// libFuzzer target: JMESPath expressions come from policies any namespace admin may write, and the
// data they read from admitted objects and attestations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/jmespath/jmespath.hpp"
#include "policy/jmespath/variables.hpp"

// The input is "expression\ndata": the expression is compiled and, when the data is JSON, evaluated.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace signet::policy;
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const std::size_t newline = input.find('\n');
  const std::string_view expression = input.substr(0, newline);
  const std::string_view text = newline == std::string_view::npos ? "{}" : input.substr(newline + 1);
  auto data = json::parse(text, 64);
  const json::Value value = data ? *data : json::Value(std::string(text));
  if (auto compiled = jmespath::compile(expression)) (void)jmespath::search(**compiled, value);
  // The same bytes as a string with {{ }} variables over the data.
  (void)has_variables(input);
  (void)substitute_variables(json::Value(std::string(expression)), value);
  return 0;
}
