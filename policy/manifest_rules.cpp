#include "policy/manifest_rules.hpp"

#include "policy/manifest_verifier.hpp"
#include "policy/match.hpp"

namespace signet::policy {
namespace {

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
  const json::Value* object = request.json.find("object");
  for (const auto& policy : policies.policies) {
    for (const auto& rule : policy.rules) {
      if (!rule.manifests || !manifest_rule_applies(policy, rule, request)) continue;
      RuleResult result;
      result.policy = policy.display_name();
      result.rule = rule.name;
      result.image = resource_name(request);
      result.enforce = policy.failure_action_of(rule) == FailureAction::Enforce;
      result.manifest = true;
      if (request.dry_run) {
        result.status = RuleStatus::Pass;
      } else {
        const auto verdict = manifest::verify(*rule.manifests, object != nullptr ? *object : json::Value());
        result.status = status_of(verdict.status);
        result.message = verdict.message;
        if (result.status != RuleStatus::Pass && !rule.manifests->message.empty()) {
          result.message = rule.manifests->message + ": " + result.message;
        }
      }
      results.push_back(std::move(result));
    }
  }
  return results;
}

}  // namespace signet::policy
