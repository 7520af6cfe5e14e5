// The validate.manifests rules of a policy set applied to one admission request: one result per
// applicable rule, named after the resource ("Kind/namespace/name"). No I/O: everything is in the object.
#pragma once

#include <vector>

#include "policy/admission.hpp"
#include "policy/engine.hpp"
#include "policy/policy_set.hpp"

namespace signet::policy {

// Whether any policy of the set has a validate.manifests rule.
bool has_manifest_rules(const PolicySet& policies);

// Results for every validate.manifests rule whose match/exclude select `request` (no autogen: Kyverno
// generates none for manifest rules). Dry-run requests pass unverified, as Kyverno lets them.
std::vector<RuleResult> evaluate_manifest_rules(const PolicySet& policies, const AdmissionRequest& request);

}  // namespace signet::policy
