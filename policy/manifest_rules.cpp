#include "policy/manifest_rules.hpp"

#include "policy/manifests/verifier.hpp"
#include "policy/match.hpp"

namespace signet::policy {
namespace {

namespace asio = boost::asio;

bool manifest_rule_applies(const Policy& policy, const Rule& rule, const AdmissionRequest& request) {
  if (request.operation == "DELETE" || request.operation == "CONNECT") return false;
  if (policy.kind == PolicyKind::Policy && policy.namespace_name != request.namespace_name) return false;
  return matches(rule.match, request) && !(rule.exclude && excludes(*rule.exclude, request));
}

std::string resource_name(const AdmissionRequest& request) {
  return request.kind + "/" + (request.namespace_name.empty() ? "" : request.namespace_name + "/") + request.name;
}

RuleStatus status_of(manifest::Verdict::Status status) {
  switch (status) {
    case manifest::Verdict::Status::Pass:
      return RuleStatus::Pass;
    case manifest::Verdict::Status::Fail:
      return RuleStatus::Fail;
    case manifest::Verdict::Status::Error:
      return RuleStatus::Error;
  }
  return RuleStatus::Error;
}

std::vector<std::pair<const Policy*, const Rule*>> manifest_rules_for(const PolicySet& policies,
                                                                      const AdmissionRequest& request) {
  std::vector<std::pair<const Policy*, const Rule*>> out;
  for (const auto& policy : policies.policies) {
    for (const auto& rule : policy.rules) {
      if (rule.manifests && manifest_rule_applies(policy, rule, request)) out.emplace_back(&policy, &rule);
    }
  }
  return out;
}

json::Value object_of(const AdmissionRequest& request) {
  const json::Value* object = request.json.find("object");
  return object != nullptr ? *object : json::Value();
}

// The result of `rule` for `request`; `verify` gives the verdict unless the request is a dry-run.
template <class Verify>
RuleResult result_for(const Policy& policy, const Rule& rule, const AdmissionRequest& request, Verify verify) {
  RuleResult result;
  result.policy = policy.display_name();
  result.rule = rule.name;
  result.image = resource_name(request);
  result.enforce = policy.failure_action_of(rule) == FailureAction::Enforce;
  result.manifest = true;
  if (request.dry_run) {
    result.status = RuleStatus::Pass;
    return result;
  }
  const manifest::Verdict verdict = verify();
  result.status = status_of(verdict.status);
  result.message = verdict.message;
  if (result.status != RuleStatus::Pass && !rule.manifests->message.empty()) {
    result.message = rule.manifests->message + ": " + result.message;
  }
  return result;
}

}  // namespace

bool has_manifest_rules(const PolicySet& policies) {
  for (const auto& policy : policies.policies) {
    for (const auto& rule : policy.rules) {
      if (rule.manifests) return true;
    }
  }
  return false;
}

std::vector<RuleResult> evaluate_manifest_rules(const PolicySet& policies, const AdmissionRequest& request) {
  std::vector<RuleResult> results;
  for (const auto& [policy, rule] : manifest_rules_for(policies, request)) {
    results.push_back(
        result_for(*policy, *rule, request, [&] { return manifest::verify(*rule->manifests, object_of(request)); }));
  }
  return results;
}

asio::awaitable<std::vector<RuleResult>> evaluate_manifest_rules(const PolicySet& policies,
                                                                 const AdmissionRequest& request, DryRunner* dry_runner,
                                                                 oci::Deadline deadline) {
  std::vector<RuleResult> results;
  for (const auto& [policy, rule] : manifest_rules_for(policies, request)) {
    manifest::Verdict verdict{manifest::Verdict::Status::Pass, ""};  // unused for a dry-run request
    if (!request.dry_run) {
      const json::Value object = object_of(request);
      if (dry_runner != nullptr && rule->manifests->dry_run_namespace) {
        verdict = co_await manifest::verify(*rule->manifests, object, *dry_runner, deadline);
      } else {
        verdict = manifest::verify(*rule->manifests, object);
      }
    }
    results.push_back(result_for(*policy, *rule, request, [&] { return verdict; }));
  }
  co_return results;
}

}  // namespace signet::policy
