// Kyverno's own verifyImages policies (its conformance tests and its policy library), read unchanged:
// none may crash the loader, each refusal must name a feature signet does not support yet, and the
// key-based ones without such features must be accepted.
#include <filesystem>
#include <set>

#include <catch2/catch.hpp>

#include "policy/policy_set.hpp"

using namespace signet::policy;
namespace fs = std::filesystem;

namespace {

// The files whose policies use only what signet honours today: static keys, keyless and certificate
// attestors (or no attestors at all), match/exclude, digests, failure actions, attestations,
// imageExtractors, validate.manifests. Every other file must be refused naming a feature.
const std::set<std::string> kExpectedAccepted = {
    "clusterpolicy_cornercases_multiple-attestors_policy.yaml",
    "clusterpolicy_standard_empty-image_policy.yaml",
    "clusterpolicy_standard_keyed-basic_policy.yaml",
    "clusterpolicy_standard_keyed-tsa_policy.yaml",
    "clusterpolicy_standard_keyless-attestation-invalid-attestor_policy.yaml",
    "clusterpolicy_standard_keyless-attestation-regexp_policy.yaml",
    "clusterpolicy_standard_keyless-attestations-multiple-subjects-1_policy.yaml",
    "clusterpolicy_standard_keyless-attestations-multiple-subjects-2_policy.yaml",
    "clusterpolicy_standard_keyless-attestations-multiple-subjects-3_policy.yaml",
    "clusterpolicy_standard_keyless-attestations-multiple-subjects-counts-1_policy.yaml",
    "clusterpolicy_standard_keyless-attestations-multiple-subjects-counts-2_policy.yaml",
    "clusterpolicy_standard_keyless-attestations-multiple-subjects-counts-3_policy.yaml",
    "clusterpolicy_standard_keyless-image-invalid-attestor_policy.yaml",
    "clusterpolicy_standard_keyless-mutatedigest-verifydigest-required_policy.yaml",
    "clusterpolicy_standard_keyless-nomutatedigest-noverifydigest-norequired_policy.yaml",
    "clusterpolicy_standard_keyless-nomutatedigest-noverifydigest-required_policy.yaml",
    "clusterpolicy_standard_mutateDigest-noverifyDigest-norequired_policy.yaml",
    "clusterpolicy_standard_nomutateDigest-verifyDigest-norequired_policy.yaml",
    "clusterpolicy_standard_rollback-image-verification_policy.yaml",
    "clusterpolicy_standard_sigstore-attestation-verification-regexp_policy.yaml",
    "clusterpolicy_standard_sigstore-attestation-verification-test_policy.yaml",
    "clusterpolicy_standard_sigstore-image-verification-test_policy.yaml",
    "clusterpolicy_standard_update-multi-containers_policy.yaml",
    "clusterpolicy_standard_verify-image-background-audit_policy.yaml",
    "clusterpolicy_standard_verify-image-background-basic_policy.yaml",
    "clusterpolicy_standard_verify-image-background-existing_policy.yaml",
    "clusterpolicy_standard_with-mutation_policy.yaml",
    "verify-flux-images.yaml",
    "verify-image.yaml",
    "verify-manifest-integrity.yaml",                 // validate.manifests with keys
    "verify-tekton-pipeline-bundle-signatures.yaml",  // imageExtractors for PipelineRun bundles
};

std::vector<fs::path> vector_files() {
  std::vector<fs::path> files;
  for (const char* folder : {"/kyverno-policies", "/kyverno-library"}) {
    fs::path dir = fs::path(SIGNET_VECTORS_DIR) / (folder + 1);
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("Kyverno's verifyImages policies load or are refused naming an unsupported feature",
          "[policy][loader][vectors]") {
  auto files = vector_files();
  if (files.empty()) {
    WARN("skipped: no Kyverno policy vectors under " SIGNET_VECTORS_DIR);
    return;
  }
  CHECK(files.size() == 59);

  int accepted_files = 0;
  int accepted_policies = 0;
  int refused_files = 0;
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    INFO(name);
    // Each file is its own test case in Kyverno, and several reuse a policy name: load them one by one.
    LoadReport report = load_policies(file);
    for (const auto& error : report.errors) {
      INFO(error.to_string());
      // Refused for a feature to come, for what today's Kyverno refuses too (older library policies), for
      // what signet deliberately does not allow (an attestation any Fulcio certificate could sign), or for
      // Secrets and ConfigMaps, which a policy check without the cluster cannot read.
      CHECK_THAT(error.message, Catch::Contains("not supported by signet yet") ||
                                    Catch::Contains("Kyverno refuses this too") ||
                                    Catch::Contains("signet refuses by design") ||
                                    Catch::Contains("which needs signet serve --kube-secrets"));
      CHECK(error.line > 0);
      CHECK_FALSE(error.field_path.empty());
    }
    bool accepted = report.errors.empty() && !report.accepted.empty();
    CHECK(accepted == (kExpectedAccepted.count(name) == 1));
    if (accepted) {
      ++accepted_files;
      accepted_policies += static_cast<int>(report.accepted.size());
    } else {
      ++refused_files;
    }
  }
  WARN("Kyverno policy vectors: " << accepted_files << " of " << files.size() << " files accepted ("
                                  << accepted_policies << " policies), " << refused_files
                                  << " refused naming a feature not supported yet");
  CHECK(accepted_files == static_cast<int>(kExpectedAccepted.size()));
}

TEST_CASE("the accepted Kyverno policies carry their keys and failure actions into the model",
          "[policy][loader][vectors]") {
  fs::path file =
      fs::path(SIGNET_VECTORS_DIR) / "kyverno-policies" / "clusterpolicy_cornercases_multiple-attestors_policy.yaml";
  if (!fs::exists(file)) {
    WARN("skipped: no Kyverno policy vectors under " SIGNET_VECTORS_DIR);
    return;
  }
  LoadReport report = load_policies(file);
  REQUIRE(report.errors.empty());
  REQUIRE(report.accepted.size() == 1);
  const Policy& policy = report.accepted[0];
  CHECK(policy.autogen_controllers.empty());  // annotated "none"
  CHECK(policy.webhook_timeout_seconds == 30);
  REQUIRE(policy.rules.size() == 2);
  for (const Rule& rule : policy.rules) {
    REQUIRE(rule.verify_images.size() == 1);
    const ImageVerification& iv = rule.verify_images[0];
    CHECK(policy.failure_action_of(rule) == FailureAction::Enforce);
    REQUIRE(iv.attestors.size() == 1);
    CHECK(iv.attestors[0].count == 1);
    const auto& keys = iv.attestors[0].entries.at(0).keys;
    REQUIRE(keys);
    CHECK(keys->public_keys.size() == 1);
    CHECK(keys->rekor.ignore_tlog);
    CHECK(keys->ctlog.ignore_sct);
  }
  CHECK(policy.rules[0].verify_images[0].fingerprint != policy.rules[1].verify_images[0].fingerprint);
  CHECK_FALSE(policy.rules[1].verify_images[0].mutate_digest);
}

TEST_CASE("Kyverno's ImageValidatingPolicies are refused, none skipped, until signet enforces them",
          "[policy][loader][vectors]") {
  const fs::path dir = fs::path(SIGNET_VECTORS_DIR) / "kyverno-ivp";
  if (!fs::is_directory(dir)) {
    WARN("skipped: no Kyverno ImageValidatingPolicy vectors under " SIGNET_VECTORS_DIR);
    return;
  }
  int files = 0, refused = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    LoadReport report = load_policies(entry.path());
    for (const auto& note : report.notes) {
      INFO(entry.path().string() << ": " << note);
      CHECK(note.find("ImageValidatingPolicy") == std::string::npos);
    }
    bool holds_one = false;
    for (const auto& error : report.errors) {
      if (error.message.find("ImageValidatingPolicy") == std::string::npos) continue;
      INFO(error.to_string());
      CHECK_THAT(error.message, Catch::Contains("is not enforced by signet yet"));
      CHECK(error.refused_kind);
      holds_one = true;
      ++refused;
    }
    files += holds_one ? 1 : 0;
  }
  WARN("Kyverno ImageValidatingPolicy vectors: " << refused << " policies in " << files << " files, all refused");
  // The vectors hold one ImageValidatingPolicy per policy file (54 documents, a few files holding two).
  CHECK(refused == 54);
}
