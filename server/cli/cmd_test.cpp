// signet test DIR...: runs Kyverno CLI test files (kyverno-test.yaml) against a live registry or an OCI
// image layout, and reports each expected result met or missed, as `kyverno test` does.
#include <iostream>
#include <memory>

#include "oci/layout_registry.hpp"
#include "policy/engine.hpp"
#include "server/cli/cli_test_command.hpp"
#include "server/cli/cli_test_file.hpp"
#include "server/cli/cli_test_report.hpp"
#include "server/cli/cli_test_resources.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/registry_flags.hpp"
#include "server/cli/trust_flags.hpp"
#include "server/run_sync.hpp"

namespace signet::server {

namespace {
const char* const kTestUsage =
    "usage: signet test PATH... [--oci-layout DIR | registry flags] [--file-name NAME] [--timeout SECONDS]\n"
    "                   [--detailed-results]\n"
    "Runs the Kyverno CLI test files (kyverno-test.yaml, found recursively under each PATH, or PATH itself\n"
    "when it is a file): each resource is verified as if it were created, and every expected result\n"
    "(pass, fail, skip, error) of a policy's rule is compared with signet's. Images, signatures and\n"
    "attestations are read from the registries, or from the OCI image layout DIR with --oci-layout, whose\n"
    "index.json names each image by its full reference (org.opencontainers.image.ref.name =\n"
    "REGISTRY/REPO:TAG) and each cosign signature or attestation REGISTRY/REPO:sha256-<hex>.sig or .att.\n"
    "Exit 0 when every expectation is met, 1 when any is missed, 2 on usage errors or unreadable input.\n"
    "  --oci-layout DIR               read images and their evidence from this OCI image layout\n"
    "  --file-name NAME               the test files' name (default kyverno-test.yaml)\n"
    "  --timeout SECONDS              per resource (default 30)\n"
    "  --detailed-results             add the reason signet gave to each row\n";

// Registry flags that mean nothing to an OCI layout (the caps do apply).
constexpr const char* kLiveOnlyFlags[] = {"registry-ca",      "insecure-registry", "registry-config",
                                          "registry-secrets", "tag-cache-ttl",     "registry-concurrency"};

struct Counts {
  int passed = 0;
  int failed = 0;
  bool unreadable = false;
  std::vector<CliTestRow> missed;  // repeated after the summary, as kyverno test does
};

// Loads the test's policies and resources, verifies each resource, prints the rows.
void run_one(const std::filesystem::path& file, oci::Registry& registry, boost::asio::io_context& io,
             std::chrono::milliseconds timeout, bool detailed, Counts& counts, std::ostream& out, std::ostream& err) {
  out << "\nLoading test ( " << file.string() << " ) ...\n";
  auto test = load_cli_test(file);
  if (!test) {
    err << "signet test: " << test.error().message << "\n";
    counts.unreadable = true;
    return;
  }
  policy::PolicySet policies;
  bool refused = false;
  for (const auto& path : test->policies) {
    if (!std::filesystem::exists(path)) {
      err << "signet test: " << file.string() << ": policies: " << path.string() << ": no such file or folder\n";
      refused = true;
      continue;
    }
    auto report = policy::load_policies(path);
    for (const auto& note : report.notes) out << "  note: " << note << "\n";
    for (const auto& error : report.errors) err << "signet test: refused: " << error.to_string() << "\n";
    refused = refused || !report.errors.empty();
    for (auto& policy : report.accepted) policies.policies.push_back(std::move(policy));
  }
  std::vector<TestResource> resources;
  for (const auto& path : test->resources) {
    auto loaded = load_test_resources(path);
    if (!loaded) {
      err << "signet test: " << file.string() << ": resources: " << loaded.error().message << "\n";
      refused = true;
      continue;
    }
    for (auto& resource : *loaded) resources.push_back(std::move(resource));
  }
  if (refused) {
    counts.unreadable = true;
    return;
  }
  for (const auto& note : test->notes) out << "  note: " << note << "\n";
  out << "  Applying " << policies.policies.size() << (policies.policies.size() == 1 ? " policy" : " policies")
      << " to " << resources.size() << (resources.size() == 1 ? " resource" : " resources") << " ...\n\n";

  std::vector<policy::Decision> decisions;
  for (const auto& resource : resources) {
    const auto& review = resource.review;
    // Mutate mode verifies as Kyverno's CLI does: the tag is resolved and pinned, so verifyDigest does
    // not fail an image given by tag.
    decisions.push_back(run_sync<policy::Decision>(io, [&] {
      return policy::evaluate(policies, review.request, review.images, policy::Mode::Mutate, registry,
                              oci::Clock::now() + timeout);
    }));
  }
  auto rows = compare_expectations(*test, policies, resources, decisions);
  print_rows(out, rows, counts.passed + counts.failed + 1, detailed);
  for (const auto& row : rows) {
    (row.met() ? counts.passed : counts.failed)++;
    if (!row.met()) counts.missed.push_back(row);
  }
}

}  // namespace

int run_test_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (asks_for_help(args)) {
    out << kTestUsage << "Registry flags:\n" << kRegistryFlagsHelp << kTrustedRootFlagHelp;
    return kExitOk;
  }
  auto specs = registry_flag_specs();
  specs.push_back(trusted_root_flag_specs().front());
  specs.insert(specs.end(), {{"oci-layout"},
                             {"file-name"},
                             {"timeout"},
                             {"detailed-results", false},
                             {"remove-color", false}});  // accepted as kyverno test does: signet prints none
  auto line = CommandLine::parse(args, specs);
  if (!line || line->positional().empty()) {
    err << (line ? "" : line.error().message + "\n") << kTestUsage;
    return kExitUsage;
  }
  auto timeout = line->seconds("timeout", 30);
  if (!timeout) {
    err << timeout.error().message << "\n";
    return kExitUsage;
  }
  if (auto trusted = apply_trusted_root_flag(*line); !trusted) {
    err << trusted.error().message << "\n";
    return kExitUsage;
  }

  boost::asio::io_context io;
  std::unique_ptr<oci::Registry> registry;
  if (line->has("oci-layout")) {
    for (const char* flag : kLiveOnlyFlags) {
      if (line->has(flag)) {
        err << "--" << flag << " does not apply with --oci-layout, which reads no registry\n";
        return kExitUsage;
      }
    }
    auto options = registry_options_from(*line);
    if (!options) {
      err << options.error().message << "\n";
      return kExitUsage;
    }
    auto layout = oci::LayoutRegistry::open(line->get("oci-layout"), std::move(*options));
    if (!layout) {
      err << "--oci-layout: " << layout.error().message << "\n";
      return kExitUsage;
    }
    registry = std::move(*layout);
  } else {
    auto client = registry_client_from(*line, io.get_executor());
    if (!client) {
      err << client.error().message << "\n";
      return kExitUsage;
    }
    registry = std::move(*client);
  }

  const std::string file_name = line->get("file-name", "kyverno-test.yaml");
  Counts counts;
  for (const auto& path : line->positional()) {
    auto files = find_cli_tests(path, file_name);
    if (!files) {
      err << "signet test: " << files.error().message << "\n";
      counts.unreadable = true;
      continue;
    }
    if (files->empty()) {
      err << "signet test: no test file named " << file_name << " under " << path << "\n";
      counts.unreadable = true;
    }
    for (const auto& file : *files)
      run_one(file, *registry, io, *timeout, line->has("detailed-results"), counts, out, err);
  }
  out << "\nTest Summary: " << counts.passed << (counts.passed == 1 ? " test" : " tests") << " passed and "
      << counts.failed << (counts.failed == 1 ? " test" : " tests") << " failed\n";
  if (!counts.missed.empty()) {
    out << "\nAggregated Failed Test Cases:\n";
    print_rows(out, counts.missed, 1, line->has("detailed-results"));
  }
  if (counts.unreadable) return kExitUsage;
  return counts.failed > 0 ? kExitFailed : kExitOk;
}

int run_test(const std::vector<std::string>& args) { return run_test_command(args, std::cout, std::cerr); }

}  // namespace signet::server
