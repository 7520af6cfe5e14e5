// Kyverno's semver_compare (pkg/engine/jmespath/functions.go), on blang/semver's versions and ranges.
#include "policy/jmespath/kyverno_functions.hpp"

#include <string>
#include <vector>

#include "policy/jmespath/kyverno_support.hpp"
#include "policy/jmespath/semver.hpp"

namespace signet::policy::jmespath {
namespace {

Result<Value> fn_semver_compare(CallContext&, Args args) {
  // As Kyverno: a version that does not parse counts as 0.0.0; a range that does not parse is an error.
  auto version = parse_semver(str(args[0]));
  auto satisfied = semver_satisfies(version ? *version : SemVersion{}, str(args[1]));
  if (!satisfied) {
    std::string message = satisfied.error().message;
    if (message.starts_with("invalid-value: ")) message = message.substr(15);
    return invalid_value("semver_compare", message);
  }
  return Value(*satisfied);
}

}  // namespace

std::span<const Function> kyverno_semver_functions() {
  static const std::vector<Function> kFunctions = {
      {"semver_compare",
       {kString, kString},
       false,
       fn_semver_compare,
       "boolean",
       "compares two strings which comply with the semantic versioning schema and outputs a boolean response as "
       "to the position of the second relative to the first"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
