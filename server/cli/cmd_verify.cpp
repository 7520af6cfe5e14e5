// signet verify --policy PATH IMAGE...: evaluate images against policies without a cluster, as if each
// were the image of a Pod created in --namespace.
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "policy/engine.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/policy_loading.hpp"
#include "server/cli/registry_flags.hpp"
#include "server/cli/trust_flags.hpp"
#include "server/run_sync.hpp"

namespace signet::server {

namespace {
const char* const kVerifyUsage =
    "usage: signet verify --policy PATH [--namespace NS] [--timeout SECONDS] [registry flags] IMAGE...\n"
    "Checks each image against the policies as if it were the image of a Pod created in NS (default\n"
    "\"default\"). Exit 0 when all pass, 1 when any fails, 2 on usage or policy errors.\n";
}  // namespace

int run_verify(const std::vector<std::string>& args) {
  if (asks_for_help(args)) {
    std::cout << kVerifyUsage << kRegistryFlagsHelp << kTrustedRootFlagHelp;
    return kExitOk;
  }
  auto specs = registry_flag_specs();
  specs.push_back(trusted_root_flag_specs().front());
  specs.insert(specs.end(), {{"policy"}, {"namespace"}, {"timeout"}});
  auto line = CommandLine::parse(args, specs);
  if (!line || !line->has("policy") || line->positional().empty()) {
    std::cerr << (line ? "" : line.error().message + "\n") << kVerifyUsage << kRegistryFlagsHelp;
    return kExitUsage;
  }
  if (auto trusted = apply_trusted_root_flag(*line); !trusted) {
    std::cerr << trusted.error().message << "\n";
    return kExitUsage;
  }
  boost::asio::io_context io;
  auto registry = registry_client_from(*line, io.get_executor());
  auto timeout = line->seconds("timeout", 30);
  if (!registry || !timeout) {
    std::cerr << (registry ? timeout.error() : registry.error()).message << "\n";
    return kExitUsage;
  }
  policy::PolicyStore policies(line->get("policy"));
  auto report = policies.reload(true);
  if (!report || !report_policy_load(*report, false)) return kExitUsage;

  policy::AdmissionRequest request;
  request.operation = "CREATE";
  request.version = "v1";
  request.kind = "Pod";
  request.namespace_name = line->get("namespace", "default");
  request.name = "signet-verify";
  std::vector<policy::ImageUse> images;
  for (std::size_t i = 0; i < line->positional().size(); ++i)
    images.push_back({line->positional()[i], "/spec/containers/" + std::to_string(i) + "/image",
                      "c" + std::to_string(i), "containers"});

  auto snapshot = policies.current();
  // Mutate mode verifies signatures without demanding a digest in the reference: the CLI resolves tags.
  policy::Decision decision = run_sync<policy::Decision>(io, [&] {
    return policy::evaluate(*snapshot, request, images, policy::Mode::Mutate, **registry, oci::Clock::now() + *timeout);
  });

  bool any_failed = false;
  std::cout << std::left << std::setw(48) << "IMAGE" << std::setw(24) << "POLICY" << std::setw(24) << "RULE"
            << std::setw(7) << "RESULT"
            << "DETAIL\n";
  for (const auto& image : images) {
    bool any_rule = false;
    for (const auto& result : decision.results) {
      if (result.image != image.image) continue;
      any_rule = true;
      any_failed |= result.status == policy::RuleStatus::Fail || result.status == policy::RuleStatus::Error;
      std::string detail = result.status == policy::RuleStatus::Pass ? result.digest : result.message;
      std::cout << std::setw(48) << image.image << std::setw(24) << result.policy << std::setw(24) << result.rule
                << std::setw(7) << policy::to_string(result.status) << detail << "\n";
    }
    if (!any_rule) std::cout << std::setw(48) << image.image << "no rule selects this image\n";
  }
  return any_failed ? kExitFailed : kExitOk;
}

}  // namespace signet::server
