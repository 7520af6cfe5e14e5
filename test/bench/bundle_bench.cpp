// signet's sigstore bundle verifications per second on one core: what `signet verify-bundle` does with a
// bundle's bytes (parse, read into evidence, verify against the trusted root at the logged time with the
// SCT and the tlog entry, check the signer's identity), set beside @sigstore/verify on the same bundles
// (test/bench/sigstore_verify_bench.js; test/bench/bench.py runs both).
//
// usage: signet_bundle_bench [benchmark flags] FIXTURES   (or SIGNET_SIGSTORE_FIXTURES=FIXTURES)
// FIXTURES is what test/support/sigstore/make_fixtures.sh writes: trusted_root.json, blob.txt, identity,
// issuer and the bundles. Bundle/<name> reads <name>.bundle.json; a message signature is verified over
// blob.txt.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "crypto/sigstore_bundle.hpp"
#include "crypto/sigstore_verifier.hpp"
#include "crypto/trusted_root.hpp"
#include "policy/signer_identity.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string first_line(const std::string& path) {
  std::string text = read_file(path);
  return text.substr(0, text.find('\n'));
}

struct Fixtures {
  signet::crypto::TrustedRoot root;
  std::string artifact;
  signet::policy::KeylessAttestor identity;
  std::string folder;
};

Fixtures load(const std::string& folder) {
  auto root = signet::crypto::parse_trusted_root(read_file(folder + "/trusted_root.json"));
  if (!root) throw std::runtime_error(folder + "/trusted_root.json: " + root.error().message);
  Fixtures fixtures{std::move(*root), read_file(folder + "/blob.txt"), {}, folder};
  // Exact values: no wildcard in either, so Kyverno's `subject` and `issuer` compare them as they are.
  fixtures.identity.subject = first_line(folder + "/identity");
  fixtures.identity.issuer = first_line(folder + "/issuer");
  return fixtures;
}

const Fixtures* fixtures = nullptr;

// One verification as verify-bundle runs it; the error says which step refused.
signet::Result<void> verify_bundle(const std::string& json) {
  auto bundle = signet::crypto::parse_sigstore_bundle(json);
  if (!bundle) return bundle.error();
  auto evidence = signet::crypto::evidence_from_bundle(*bundle);
  if (!evidence) return evidence.error();
  if (bundle->message_signature) evidence->payload = fixtures->artifact;
  auto verified = signet::crypto::verify_with_certificate_authority(*evidence, fixtures->root, {});
  if (!verified) return verified.error();
  return signet::policy::check_signer_identity(*verified->certificate, fixtures->identity);
}

void Bundle(benchmark::State& state, const std::string& name) {
  const std::string json = read_file(fixtures->folder + "/" + name + ".bundle.json");
  for (auto _ : state) {
    if (auto verified = verify_bundle(json); !verified) {
      state.SkipWithError((name + ": " + verified.error().message).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string folder;
  if (argc == 2) {
    folder = argv[1];
  } else if (const char* env = std::getenv("SIGNET_SIGSTORE_FIXTURES"); env != nullptr && argc == 1) {
    folder = env;
  } else {
    std::cerr << "usage: signet_bundle_bench [benchmark flags] FIXTURES (or SIGNET_SIGSTORE_FIXTURES)\n"
                 "FIXTURES: a folder written by test/support/sigstore/make_fixtures.sh\n";
    return 2;
  }
  try {
    static const Fixtures loaded = load(folder);
    fixtures = &loaded;
  } catch (const std::exception& e) {
    std::cerr << "signet_bundle_bench: " << e.what() << "\n";
    return 1;
  }
  // The message signature (hashedrekord, SET and inclusion proof), the DSSE attestation, and the message
  // signature with an RFC 3161 timestamp too.
  for (const char* name : {"blob", "dsse", "blob-tsa"}) {
    benchmark::RegisterBenchmark(("Bundle/" + std::string(name)).c_str(), Bundle, std::string(name));
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
