// Kyverno's custom JMESPath functions (kyverno/kyverno pkg/engine/jmespath): names, argument types,
// results and errors as Kyverno has them. Every regular expression runs on RE2 (linear time).
#pragma once

#include <span>

#include "policy/jmespath/functions.hpp"

namespace signet::policy::jmespath {

// One table per family; kyverno_functions() (functions.hpp) joins them in Kyverno's order.
std::span<const Function> kyverno_string_functions();      // kyverno_strings.cpp
std::span<const Function> kyverno_regex_functions();       // kyverno_regex.cpp
std::span<const Function> kyverno_arithmetic_functions();  // kyverno_arithmetic.cpp
std::span<const Function> kyverno_encoding_functions();    // kyverno_encoding.cpp
std::span<const Function> kyverno_semver_functions();      // kyverno_semver.cpp
std::span<const Function> kyverno_object_functions();      // kyverno_objects.cpp

}  // namespace signet::policy::jmespath
