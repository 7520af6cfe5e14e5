// What the families of Kyverno's functions (kyverno_*.cpp) share; only those files include it. Inline
// and outside any anonymous namespace: the library compiles as unity translation units.
#pragma once

#include <charconv>
#include <span>
#include <string>
#include <string_view>

#include "policy/jmespath/functions.hpp"

namespace signet::policy::jmespath {

using json::Value;
using Args = std::span<const Argument>;

// A string argument: check_arguments has checked its type.
inline const std::string& str(const Argument& arg) { return arg.value.as_string(); }

// Go's strconv.FormatFloat(f, 'f', -1, 32), how Kyverno turns a number argument into text.
inline std::string number_text(double number) {
  char buffer[128];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, static_cast<float>(number), std::chars_format::fixed);
  if (ec != std::errc()) return json::to_json(Value(number));
  return std::string(buffer, end);
}

inline Result<Value> too_long(std::string_view function) { return invalid_value(function, "the result is too long"); }

}  // namespace signet::policy::jmespath
