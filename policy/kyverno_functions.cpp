#include "policy/kyverno_functions.hpp"

namespace signet::policy::jmespath {
std::span<const Function> kyverno_functions() {
  static const std::vector<Function> kFunctions = {};
  return kFunctions;
}
std::span<const Function> kyverno_time_functions() {
  static const std::vector<Function> kFunctions = {};
  return kFunctions;
}
}  // namespace signet::policy::jmespath
