// signet: verifies container image signatures before Kubernetes admits a workload.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "server/cli/commands.hpp"

namespace {

const char* const kUsage =
    "signet " SIGNET_VERSION
    " - a Kubernetes admission webhook that verifies container image signatures\n"
    "\n"
    "usage: signet COMMAND [flags]\n"
    "  serve          run the webhook (HTTPS: /validate, /mutate, /healthz, /readyz, /metrics)\n"
    "  verify         check images against policies, without a cluster\n"
    "  admit          answer one AdmissionReview from a file or stdin\n"
    "  policy check   load policies and say which are accepted or refused, and why\n"
    "  jp             evaluate a JMESPath expression on JSON (query), list functions\n"
    "  test           run Kyverno CLI test files (kyverno-test.yaml)\n"
    "  sign-manifest  write a signed copy of a Kubernetes manifest (k8s-manifest-sigstore format)\n"
    "  verify-manifest check a manifest against the policies' validate.manifests rules\n"
    "  verify-signature verify one cosign signature or attestation offline, from its files\n"
    "  verify-bundle  verify a sigstore bundle over an artifact (sigstore-conformance's client protocol)\n"
    "  version        print the version\n"
    "Run `signet COMMAND --help` for a command's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace signet::server;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "serve") return run_serve(rest);
    if (command == "verify") return run_verify(rest);
    if (command == "admit") return run_admit(rest);
    if (command == "jp") return run_jp(rest);
    if (command == "test") return run_test(rest);
    if (command == "sign-manifest") return run_sign_manifest(rest);
    if (command == "verify-manifest") return run_verify_manifest(rest);
    if (command == "verify-signature") return run_verify_signature(rest);
    if (command == "verify-bundle") return run_verify_bundle(rest);
    if (command == "policy" && !rest.empty() && rest[0] == "check")
      return run_policy_check(std::vector<std::string>(rest.begin() + 1, rest.end()));
    if (command == "version" || command == "--version") {
      std::cout << "signet " SIGNET_VERSION "\n";
      return kExitOk;
    }
  } catch (const std::exception& error) {
    // A programming error: say so plainly rather than abort silently.
    std::cerr << "signet " << command << ": internal error: " << error.what() << "\n";
    return 3;
  }
  std::cerr << "signet: unknown command \"" << command << "\"\n" << kUsage;
  return kExitUsage;
}
