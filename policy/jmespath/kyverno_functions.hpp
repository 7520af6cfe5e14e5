// Kyverno's custom JMESPath functions (kyverno/kyverno pkg/engine/jmespath): names, argument types,
// results and errors as Kyverno has them. Every regular expression runs on RE2 (linear time).
#pragma once

#include "policy/jmespath/functions.hpp"
