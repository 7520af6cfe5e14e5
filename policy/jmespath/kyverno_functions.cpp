// Kyverno's function table: the families (kyverno_strings.cpp, kyverno_regex.cpp, ...) joined in the order
// Kyverno lists them (pkg/engine/jmespath/functions.go), which `signet jp function` keeps. That order
// interleaves the families, so it is spelled out by name here. The time functions are kyverno_time.cpp's.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <iterator>
#include <span>
#include <string_view>
#include <vector>

namespace signet::policy::jmespath {
namespace {

// `signet jp function` lists them in this order.
constexpr std::string_view kKyvernoOrder[] = {
    "compare",
    "equal_fold",
    "replace",
    "replace_all",
    "to_upper",
    "to_lower",
    "trim",
    "trim_prefix",
    "split",
    "regex_replace_all",
    "regex_replace_all_literal",
    "regex_match",
    "pattern_match",
    "label_match",
    "to_boolean",
    "add",
    "sum",
    "subtract",
    "multiply",
    "divide",
    "modulo",
    "round",
    "base64_decode",
    "base64_encode",
    "path_canonicalize",
    "truncate",
    "semver_compare",
    "parse_json",
    "parse_yaml",
    "lookup",
    "items",
    "object_from_lists",
    "sha256",
    "sha1",
    "md5",
};

// The families' entries, in Kyverno's order (a name the order does not list goes last).
std::vector<Function> in_kyverno_order() {
  std::vector<Function> all;
  for (const auto family : {kyverno_string_functions(), kyverno_regex_functions(), kyverno_arithmetic_functions(),
                            kyverno_encoding_functions(), kyverno_semver_functions(), kyverno_object_functions()}) {
    all.insert(all.end(), family.begin(), family.end());
  }
  const auto rank = [](const Function& function) {
    return std::find(std::begin(kKyvernoOrder), std::end(kKyvernoOrder), function.name) - std::begin(kKyvernoOrder);
  };
  std::stable_sort(all.begin(), all.end(), [&](const Function& a, const Function& b) { return rank(a) < rank(b); });
  return all;
}

}  // namespace

std::span<const Function> kyverno_functions() {
  static const std::vector<Function> kFunctions = in_kyverno_order();
  return kFunctions;
}

}  // namespace signet::policy::jmespath
