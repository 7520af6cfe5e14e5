// signet admit --policy PATH [--mutate] [FILE|-]: answer one AdmissionReview as the server would.
#include <fstream>
#include <iostream>
#include <iterator>

#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/policy_loading.hpp"
#include "server/cli/registry_flags.hpp"
#include "server/run_sync.hpp"
#include "server/webhook.hpp"

namespace signet::server {

namespace {
const char* const kAdmitUsage =
    "usage: signet admit --policy PATH [--mutate] [--review-deadline SECONDS] [registry flags] [FILE|-]\n"
    "Answers one AdmissionReview (from FILE, or stdin) as /validate does, or as /mutate with --mutate,\n"
    "and prints the response. Exit 0 allowed, 1 denied, 2 on malformed input or refused policies.\n";
}  // namespace

int run_admit(const std::vector<std::string>& args) {
  if (asks_for_help(args)) {
    std::cout << kAdmitUsage << kRegistryFlagsHelp;
    return kExitOk;
  }
  auto specs = registry_flag_specs();
  specs.insert(specs.end(), {{"policy"}, {"mutate", false}, {"review-deadline"}});
  auto line = CommandLine::parse(args, specs);
  if (!line || !line->has("policy") || line->positional().size() > 1) {
    std::cerr << (line ? "" : line.error().message + "\n") << kAdmitUsage << kRegistryFlagsHelp;
    return kExitUsage;
  }
  boost::asio::io_context io;
  auto registry = registry_client_from(*line, io.get_executor());
  auto deadline = line->seconds("review-deadline", 8);
  if (!registry || !deadline) {
    std::cerr << (registry ? deadline.error() : registry.error()).message << "\n";
    return kExitUsage;
  }

  std::string body;
  const std::string input = line->positional().empty() ? "-" : line->positional()[0];
  if (input == "-") {
    body.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream file(input, std::ios::binary);
    if (!file) {
      std::cerr << "cannot read " << input << "\n";
      return kExitUsage;
    }
    body.assign(std::istreambuf_iterator<char>(file), {});
  }

  policy::PolicyStore policies(line->get("policy"));
  auto report = policies.reload(true);
  if (!report || !report_policy_load(*report, false)) return kExitUsage;

  Metrics metrics;
  Webhook webhook(policies, **registry, metrics, WebhookOptions{*deadline, nullptr, {}, {}, nullptr});
  const auto mode = line->has("mutate") ? policy::Mode::Mutate : policy::Mode::Validate;
  HttpAnswer answer = run_sync<HttpAnswer>(io, [&] { return webhook.review(body, mode); });

  if (answer.status != 200) {
    std::cerr << answer.body;
    return kExitUsage;
  }
  std::cout << answer.body << "\n";
  return answer.allowed.value_or(false) ? kExitOk : kExitFailed;
}

}  // namespace signet::server
