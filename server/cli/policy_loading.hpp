// Loading a policy folder for a command, with the report printed the same way everywhere.
#pragma once

#include <memory>
#include <string>

#include "policy/policy_set.hpp"

namespace signet::server {

// Prints every refusal (and, when verbose, every note) to stderr. Returns false when any policy was
// refused: commands then stop with kExitUsage rather than run with a partial set.
bool report_policy_load(const policy::LoadReport& report, bool verbose);

}  // namespace signet::server
