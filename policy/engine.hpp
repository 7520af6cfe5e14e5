// The verification engine: for each image of a request, the verifyImages rules that select it, the
// evidence fetched through oci::Registry and checked with crypto/, and the combined decision.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "oci/registry.hpp"
#include "policy/admission.hpp"
#include "policy/policy_set.hpp"
#include "policy/verdict_cache.hpp"

namespace signet::policy {

class DryRunner;

// Validate: /validate and `signet verify` (verification + verifyDigest).
// Mutate: /mutate (verification + mutateDigest patches).
enum class Mode { Validate, Mutate };

enum class RuleStatus { Pass, Fail, Error, Skip };
const char* to_string(RuleStatus status);  // "pass", "fail", "error", "skip" (metric label values)

struct RuleResult {
  std::string policy;  // "namespace/name" for a namespaced Policy, "name" for a ClusterPolicy
  std::string rule;
  std::string image;  // as written in the object
  RuleStatus status = RuleStatus::Skip;
  bool enforce = true;            // the rule's effective failure action
  std::string message;            // why it failed / errored / was skipped; "" on pass
  std::string digest;             // the verified digest, on pass
  std::optional<bool> cache_hit;  // set when the entry was verified: whether the verdict cache answered
  bool manifest = false;          // a validate.manifests result: `image` holds the resource, "Kind/namespace/name"
};

// One RFC 6902 operation (only "replace" of an image string is produced today).
struct PatchOperation {
  std::string op;
  std::string path;
  std::string value;
};

struct Decision {
  bool allowed = true;
  std::string message;                // on deny: every Enforce failure, naming policy, rule, image and reason
  std::vector<std::string> warnings;  // Audit failures, one each, ≤ 120 characters
  std::map<std::string, std::string> audit_annotations;
  std::vector<PatchOperation> patch;  // Mutate mode only
  std::vector<RuleResult> results;    // every (image, rule) considered
};

// Evaluates every verifyImages rule of `policies` that applies to `request` against `images`.
// Registry and verification errors become Error results; under Enforce they deny, never allow.
// The images are verified concurrently on the caller's executor, which must be a strand (or an
// io_context run by one thread). With `verdicts`, entries with useCache (and a fingerprint) reuse and
// share verdicts. validate.manifests rules with dryRun create signed manifests through `dry_runner`
// (none: those that would need it are Errors).
boost::asio::awaitable<Decision> evaluate(const PolicySet& policies, const AdmissionRequest& request,
                                          const std::vector<ImageUse>& images, Mode mode, oci::Registry& registry,
                                          oci::Deadline deadline, VerdictCache* verdicts = nullptr,
                                          DryRunner* dry_runner = nullptr);

// Whether any rule of `policies` reads the AdmissionReview's request as JSON (AdmissionRequest::json):
// manifest rules, imageExtractors, attestation conditions. When none does, decoders may skip building it.
bool reads_request_json(const PolicySet& policies);

// The decision when the deadline passed before `evaluate` finished: every applicable (image, rule)
// is an Error "verification timed out", decided by its failure action. No I/O.
Decision timed_out(const PolicySet& policies, const AdmissionRequest& request, const std::vector<ImageUse>& images,
                   Mode mode);

}  // namespace signet::policy
