// signet policy check PATH...: what platform teams run in CI on their policy folder.
#include <algorithm>
#include <iostream>

#include "policy/policy_set.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"

namespace signet::server {

namespace {
const char* const kPolicyCheckUsage =
    "usage: signet policy check [--quiet] [--allow-skip] PATH...\n"
    "Loads policy files or folders and says, for each policy, accepted or refused and why (file, line,\n"
    "document, field path). Exit 0 when all are accepted, 2 otherwise.\n"
    "A document whose kind signet does not enforce (an ImageValidatingPolicy, a policy-controller\n"
    "ClusterImagePolicy, an unknown kind) is refused, as `signet serve` refuses it; --allow-skip reports it\n"
    "as skipped instead, for linting a folder of mixed policies. Fields signet does not honour are refused\n"
    "either way.\n";

// "2 verifyImages rules", "1 validate.manifests rule", or both.
std::string rule_counts(const policy::Policy& policy) {
  const auto manifests = static_cast<std::size_t>(std::count_if(
      policy.rules.begin(), policy.rules.end(), [](const auto& rule) { return rule.manifests.has_value(); }));
  const std::size_t images = policy.rules.size() - manifests;
  const auto count = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + " rule" + (n == 1 ? "" : "s");
  };
  if (manifests == 0) return count(images, "verifyImages");
  if (images == 0) return count(manifests, "validate.manifests");
  return count(images, "verifyImages") + ", " + count(manifests, "validate.manifests");
}

}  // namespace

int run_policy_check(const std::vector<std::string>& args) {
  if (asks_for_help(args)) {
    std::cout << kPolicyCheckUsage;
    return kExitOk;
  }
  auto line = CommandLine::parse(args, {{"quiet", false}, {"allow-skip", false}});
  if (!line || line->positional().empty()) {
    std::cerr << (line ? "" : line.error().message + "\n") << kPolicyCheckUsage;
    return kExitUsage;
  }
  std::size_t accepted = 0, refused = 0, skipped = 0;
  for (const auto& path : line->positional()) {
    policy::LoadReport report = policy::load_policies(path);
    for (const auto& policy : report.accepted) {
      ++accepted;
      if (!line->has("quiet"))
        std::cout << "accepted  " << policy.file << ": " << policy.display_name() << " (" << rule_counts(policy)
                  << ")\n";
    }
    for (const auto& error : report.errors) {
      if (error.refused_kind && line->has("allow-skip")) {
        ++skipped;
        std::cout << "skipped   " << error.to_string() << "\n";
        continue;
      }
      ++refused;
      std::cout << "refused   " << error.to_string() << "\n";
    }
    if (!line->has("quiet"))
      for (const auto& note : report.notes) std::cout << "note      " << note << "\n";
  }
  std::cout << accepted << " accepted, " << refused << " refused";
  if (line->has("allow-skip")) std::cout << ", " << skipped << " skipped";
  std::cout << "\n";
  return refused == 0 ? kExitOk : kExitUsage;
}

}  // namespace signet::server
