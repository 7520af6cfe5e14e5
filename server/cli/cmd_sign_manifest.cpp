// signet sign-manifest: a signed copy of a Kubernetes manifest in k8s-manifest-sigstore's format, the
// one `kubectl sigstore sign` writes and Kyverno's validate.manifests (and signet) verify.
#include <fstream>
#include <iostream>
#include <sstream>

#include "policy/manifests/signer.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"

namespace signet::server {
namespace {

const char* const kSignManifestUsage =
    "usage: signet sign-manifest --key KEY.pem [--output FILE] [--annotation-domain DOMAIN] [--append] FILE.yaml\n"
    "Writes FILE.yaml with every object annotated with the signed YAML (<domain>/message) and its signature\n"
    "(<domain>/signature), to --output or stdout. KEY.pem is an unencrypted PEM private key (ECDSA, RSA or\n"
    "Ed25519). --append adds one more signature (<domain>/signature_1, _2, …) to a file signed already.\n";

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first free signature index of a signed file: 1 after `signature`, 2 after `signature_1`, …
int next_index(const std::string& text, const std::string& domain) {
  int index = 0;
  while (text.find(domain + "/signature" + (index == 0 ? std::string() : "_" + std::to_string(index)) + "\"") !=
             std::string::npos ||
         text.find(domain + "/signature" + (index == 0 ? std::string() : "_" + std::to_string(index)) + ":") !=
             std::string::npos) {
    ++index;
  }
  return index;
}

}  // namespace

int run_sign_manifest(const std::vector<std::string>& args) {
  auto line =
      CommandLine::parse(args, {{"key"}, {"output"}, {"annotation-domain"}, {"append", false}, {"help", false}});
  if (!line) {
    std::cerr << "signet sign-manifest: " << line.error().message << "\n" << kSignManifestUsage;
    return kExitUsage;
  }
  if (line->has("help")) {
    std::cout << kSignManifestUsage;
    return kExitOk;
  }
  if (!line->has("key") || line->positional().size() != 1) {
    std::cerr << "signet sign-manifest: give --key KEY.pem and one manifest file\n" << kSignManifestUsage;
    return kExitUsage;
  }
  const std::string domain = line->get("annotation-domain", "cosign.sigstore.dev");
  auto key = read_file(line->get("key"));
  auto manifest = read_file(line->positional().front());
  for (const auto* read : {&key, &manifest}) {
    if (!*read) {
      std::cerr << "signet sign-manifest: " << read->error().message << "\n";
      return kExitUsage;
    }
  }
  const int index = line->has("append") ? next_index(*manifest, domain) : 0;
  auto signed_copy = policy::manifest::sign_manifest(*manifest, *key, domain, index);
  if (!signed_copy) {
    std::cerr << "signet sign-manifest: " << line->positional().front() << ": " << signed_copy.error().message << "\n";
    return kExitFailed;
  }
  if (!line->has("output")) {
    std::cout << *signed_copy;
    return kExitOk;
  }
  std::ofstream out(line->get("output"), std::ios::binary | std::ios::trunc);
  out << *signed_copy;
  out.close();
  if (!out) {
    std::cerr << "signet sign-manifest: cannot write " << line->get("output") << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace signet::server
