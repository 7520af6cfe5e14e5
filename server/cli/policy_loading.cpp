#include "server/cli/policy_loading.hpp"

#include <iostream>

namespace signet::server {

bool report_policy_load(const policy::LoadReport& report, bool verbose) {
  if (verbose)
    for (const auto& note : report.notes) std::cerr << "note: " << note << "\n";
  for (const auto& error : report.errors) std::cerr << "refused: " << error.to_string() << "\n";
  return report.errors.empty();
}

}  // namespace signet::server
