// The request-level flow: which (image, rule, verifyImages entry) apply, what can be settled without
// I/O (skipped, unparsable, not pinned), then each distinct image verified in its own coroutine, all
// images concurrently, and the results combined by decide().
#include "policy/engine.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <map>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "policy/attestation_check.hpp"
#include "policy/decision.hpp"
#include "policy/image_extractor.hpp"
#include "policy/image_match.hpp"
#include "policy/image_verifier.hpp"
#include "policy/manifest_rules.hpp"
#include "policy/match.hpp"

namespace signet::policy {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kTimedOut = "verification timed out";

struct ApplicableRule {
  const Policy* policy;
  const Rule* rule;
  bool enforce;
};

std::vector<ApplicableRule> applicable_rules(const PolicySet& policies, const AdmissionRequest& request) {
  std::vector<ApplicableRule> out;
  for (const auto& policy : policies.policies) {
    for (const auto& rule : policy.rules) {
      if (!rule.verify_images.empty() && rule_applies(policy, rule, request)) {
        out.push_back({&policy, &rule, policy.failure_action_of(rule) == FailureAction::Enforce});
      }
    }
  }
  return out;
}

// One distinct image of the request: the results settled without I/O and the entries left to verify.
struct ImagePlan {
  std::string image;                  // as written
  std::vector<const ImageUse*> uses;  // where it is written (possibly several containers)
  std::optional<oci::Reference> reference;
  std::vector<RuleResult> results;  // in rule order; pending ones are filled by verification
  std::vector<std::pair<std::size_t, const ImageVerification*>> pending;  // index into results
};

struct ImageOutcome {
  std::vector<RuleResult> results;
  std::vector<PinCandidate> pins;
};

RuleResult result_for(const ApplicableRule& rule, const std::string& image, RuleStatus status, std::string message) {
  return RuleResult{
      rule.policy->display_name(), rule.rule->name, image, status, rule.enforce, std::move(message), "", std::nullopt};
}

RuleStatus status_of(const Error& error) {
  return error.kind == Error::Kind::Unavailable ? RuleStatus::Error : RuleStatus::Fail;
}

ImagePlan plan_image(const std::string& image, const std::vector<ApplicableRule>& rules, Mode mode) {
  ImagePlan plan{image, {}, std::nullopt, {}, {}};
  auto parsed = oci::parse_reference(image);
  const ImageNames names = parsed.ok() ? image_names(image, *parsed) : unparsed_image_names(image);
  if (parsed.ok()) plan.reference = *parsed;
  for (const auto& rule : rules) {
    for (const auto& entry : rule.rule->verify_images) {
      if (!covers(entry, names)) continue;
      if (!parsed.ok()) {
        plan.results.push_back(
            result_for(rule, image, RuleStatus::Fail, "invalid image reference: " + parsed.error().message));
      } else if (skips(entry, names)) {
        plan.results.push_back(result_for(rule, image, RuleStatus::Skip, "skipped by skipImageReferences"));
      } else if (mode == Mode::Validate && entry.verify_digest && parsed->digest.empty()) {
        plan.results.push_back(
            result_for(rule, image, RuleStatus::Fail, "image is not pinned to a digest (verifyDigest)"));
      } else {
        plan.pending.emplace_back(plan.results.size(), &entry);
        plan.results.push_back(result_for(rule, image, RuleStatus::Error, std::string(kTimedOut)));
      }
    }
  }
  return plan;
}

// The images of a request as each rule sees them: a rule with imageExtractors for the request's kind
// sees what they find in request.object, the others the pod images.
struct RequestImages {
  std::deque<ImageUse> extracted;  // stable addresses for ImagePlan::uses
  std::vector<std::pair<const ApplicableRule*, std::vector<const ImageUse*>>> by_rule;
  std::vector<RuleResult> errors;  // rules whose extractors failed
  std::vector<ImageUse> all;       // every image, once, for the variables
};

RequestImages images_by_rule(const std::vector<ApplicableRule>& rules, const AdmissionRequest& request,
                             const std::vector<ImageUse>& images) {
  RequestImages out;
  out.all = images;
  for (const auto& rule : rules) {
    std::vector<const ImageUse*> uses;
    const auto extractors = rule.rule->image_extractors.find(request.kind);
    if (extractors == rule.rule->image_extractors.end()) {
      for (const auto& use : images) uses.push_back(&use);
    } else {
      const json::Value* object = request.json.find("object");
      auto found = extract_images(object != nullptr ? *object : json::Value(), extractors->second);
      if (!found) {
        out.errors.push_back(result_for(rule, "request.object", RuleStatus::Error, found.error().message));
        continue;
      }
      for (auto& use : *found) {
        out.all.push_back(use);
        uses.push_back(&out.extracted.emplace_back(std::move(use)));
      }
    }
    out.by_rule.emplace_back(&rule, std::move(uses));
  }
  return out;
}

// One plan per distinct image, in the order images first appear, each with the rules that see it.
std::vector<ImagePlan> plan_images(const RequestImages& images, Mode mode) {
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::vector<const ImageUse*>, std::vector<ApplicableRule>>> seen;
  for (const auto& [rule, uses] : images.by_rule) {
    for (const ImageUse* use : uses) {
      auto [it, added] = seen.try_emplace(use->image);
      if (added) order.push_back(use->image);
      auto& [plan_uses, plan_rules] = it->second;
      if (std::find(plan_uses.begin(), plan_uses.end(), use) == plan_uses.end()) plan_uses.push_back(use);
      if (plan_rules.empty() || plan_rules.back().rule != rule->rule || plan_rules.back().policy != rule->policy) {
        plan_rules.push_back(*rule);
      }
    }
  }
  std::vector<ImagePlan> plans;
  for (const auto& image : order) {
    const auto& [uses, rules] = seen.at(image);
    plans.push_back(plan_image(image, rules, mode));
    plans.back().uses = uses;
  }
  return plans;
}

void settle(RuleResult& result, const Error& error) {
  result.status = status_of(error);
  result.message = error.message;
}

// The credentials an entry reads the registry with (imageRegistryCredentials.secrets).
std::vector<std::string> secrets_of(const ImageVerification& entry) {
  if (!entry.image_registry_credentials) return {};
  return entry.image_registry_credentials->secrets;
}

// Verifies one entry, through the verdict cache when the entry allows it.
asio::awaitable<VerdictCache::Outcome> verify_entry(const ImageVerification& entry, EvidenceSource& source,
                                                    const StatementCheck& check, const std::string& digest,
                                                    VerdictCache* verdicts, oci::Deadline deadline) {
  if (verdicts == nullptr || !entry.use_cache || entry.fingerprint.empty() || entry.verdict_depends_on_request) {
    // Not co_await inside the braces: GCC 12 miscompiles co_await in an aggregate initialiser.
    Result<void> verified = co_await verify_attestors(entry, source, check);
    co_return VerdictCache::Outcome{std::move(verified), false};
  }
  const std::string key = VerdictCache::key(source.image(), digest, entry.fingerprint);
  co_return co_await verdicts->verify(key, deadline, [&] { return verify_attestors(entry, source, check); });
}

// What every image of one request is verified with.
struct Verification {
  Mode mode;
  oci::Registry& registry;
  oci::Deadline deadline;
  VerdictCache* verdicts;
  StatementCheck check;
  oci::PodCredentials pod;  // the admitted pod's pull secrets, searched after each entry's own
};

// What the object's pod could pull with; none for objects without a pod spec or a namespace.
oci::PodCredentials pod_credentials(const AdmissionRequest& request) {
  if (!request.has_pod_spec || request.namespace_name.empty()) return {};
  return {request.namespace_name, request.service_account, request.image_pull_secrets};
}

// `how` outlives the coroutine: evaluate() waits for every image.
asio::awaitable<ImageOutcome> verify_image(ImagePlan plan, const Verification& how) {
  const Mode mode = how.mode;
  oci::Registry& registry = how.registry;
  const oci::Deadline deadline = how.deadline;
  ImageOutcome outcome;
  if (!plan.pending.empty()) {
    const oci::Reference& reference = *plan.reference;
    std::string digest = reference.digest;
    std::optional<Error> resolve_error;
    if (digest.empty()) {
      // The first entry's credentials resolve the tag (a tag names one digest whoever asks).
      const oci::Pull pull(deadline, secrets_of(*plan.pending.front().second), how.pod);
      auto resolved = co_await registry.resolve_digest(reference, pull);
      if (resolved.ok()) {
        digest = *resolved;
      } else {
        resolve_error = resolved.error().context("resolving tag " + reference.tag);
      }
    }
    // One signature source per set of credentials, so entries that share them share the fetches.
    std::map<std::vector<std::string>, EvidenceSource> sources;
    for (const auto& [index, entry] : plan.pending) {
      RuleResult& result = plan.results[index];
      if (resolve_error) {
        settle(result, *resolve_error);
        continue;
      }
      if (oci::Clock::now() >= deadline) continue;  // stays "verification timed out"
      auto secrets = secrets_of(*entry);
      auto source = sources.find(secrets);
      if (source == sources.end()) {
        const oci::Pull pull(deadline, secrets, how.pod);
        source = sources.try_emplace(std::move(secrets), registry, reference.with_digest(digest), pull).first;
      }
      auto verified = co_await verify_entry(*entry, source->second, how.check, digest, how.verdicts, deadline);
      result.cache_hit = verified.cached;
      if (!verified.result.ok()) {
        settle(result, verified.result.error());
        continue;
      }
      result.status = RuleStatus::Pass;
      result.message.clear();
      result.digest = digest;
      if (mode == Mode::Mutate && entry->mutate_digest && reference.digest.empty()) {
        // Kyverno keeps the tag: "app:v1" becomes "app:v1@sha256:…".
        for (const ImageUse* use : plan.uses) {
          if (use->json_pointer.empty()) continue;  // transformed by a JMESPath: nothing to patch
          outcome.pins.push_back({plan.image, PatchOperation{"replace", use->json_pointer, plan.image + "@" + digest}});
        }
      }
    }
  }
  outcome.results = std::move(plan.results);
  co_return outcome;
}

asio::awaitable<ImageOutcome> manifest_outcome(const PolicySet& policies, const AdmissionRequest& request,
                                               DryRunner* dry_runner, oci::Deadline deadline) {
  auto results = co_await evaluate_manifest_rules(policies, request, dry_runner, deadline);
  co_return ImageOutcome{std::move(results), {}};
}

}  // namespace

asio::awaitable<Decision> evaluate(const PolicySet& policies, const AdmissionRequest& request,
                                   const std::vector<ImageUse>& images, Mode mode, oci::Registry& registry,
                                   oci::Deadline deadline, VerdictCache* verdicts, DryRunner* dry_runner) {
  const auto rules = applicable_rules(policies, request);
  const RequestImages by_rule = images_by_rule(rules, request, images);
  auto plans = plan_images(by_rule, mode);

  // Each distinct image in its own coroutine on the caller's executor (a strand): registry waits overlap,
  // state does not. Not a strand of their own: Asio 1.81 delivers a cancellation to a coroutine on another
  // executor through a post that can outlive it, and the review deadline cancels exactly then.
  const auto executor = co_await asio::this_coro::executor;
  // The request's variables are built only when some attestation condition may read them.
  const bool conditions = std::any_of(rules.begin(), rules.end(), [](const ApplicableRule& rule) {
    return std::any_of(rule.rule->verify_images.begin(), rule.rule->verify_images.end(), [](const auto& entry) {
      return std::any_of(entry.attestations.begin(), entry.attestations.end(),
                         [](const Attestation& a) { return !a.conditions.empty(); });
    });
  });
  const Verification how{mode,
                         registry,
                         deadline,
                         verdicts,
                         statement_check(conditions ? request_variables(request, by_rule.all) : json::Value()),
                         pod_credentials(request)};
  using Operation = decltype(asio::co_spawn(executor, verify_image({}, how), asio::deferred));
  std::vector<Operation> operations;
  for (auto& plan : plans) {
    operations.push_back(asio::co_spawn(executor, verify_image(std::move(plan), how), asio::deferred));
  }
  // validate.manifests rules beside the images: only a dryRun reaches the API server.
  if (policies.has_manifest_rules) {
    operations.push_back(asio::co_spawn(executor, manifest_outcome(policies, request, dry_runner, deadline),
                                        asio::deferred));
  }
  std::vector<RuleResult> results = by_rule.errors;
  std::vector<PinCandidate> pins;
  if (!operations.empty()) {
    auto [order, exceptions, outcomes] = co_await asio::experimental::make_parallel_group(std::move(operations))
                                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (const auto& exception : exceptions) {
      if (exception) std::rethrow_exception(exception);
    }
    for (auto& outcome : outcomes) {
      results.insert(results.end(), std::make_move_iterator(outcome.results.begin()),
                     std::make_move_iterator(outcome.results.end()));
      pins.insert(pins.end(), std::make_move_iterator(outcome.pins.begin()),
                  std::make_move_iterator(outcome.pins.end()));
    }
  }
  co_return decide(std::move(results), std::move(pins), mode);
}

bool reads_request_json(const PolicySet& policies) {
  for (const auto& policy : policies.policies) {
    for (const auto& rule : policy.rules) {
      if (rule.manifests || !rule.image_extractors.empty()) return true;
      for (const auto& entry : rule.verify_images) {
        for (const auto& attestation : entry.attestations) {
          if (!attestation.conditions.empty()) return true;
        }
      }
    }
  }
  return false;
}

Decision timed_out(const PolicySet& policies, const AdmissionRequest& request, const std::vector<ImageUse>& images,
                   Mode mode) {
  const auto rules = applicable_rules(policies, request);
  const RequestImages by_rule = images_by_rule(rules, request, images);
  std::vector<RuleResult> results = by_rule.errors;
  for (auto& result : evaluate_manifest_rules(policies, request)) results.push_back(std::move(result));
  for (auto& plan : plan_images(by_rule, mode)) {
    // Pending results already read "verification timed out" (Error); settled ones stand as they are.
    results.insert(results.end(), std::make_move_iterator(plan.results.begin()),
                   std::make_move_iterator(plan.results.end()));
  }
  return decide(std::move(results), {}, mode);
}

}  // namespace signet::policy
