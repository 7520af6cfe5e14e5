// The validate.manifests rules of a policy set applied to one admission request: one result per
// applicable rule, named after the resource ("Kind/namespace/name"). The signed manifest travels in the
// object; only dryRun asks the API server.
#pragma once

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "oci/registry.hpp"
#include "policy/admission.hpp"
#include "policy/engine.hpp"
#include "policy/manifests/dry_run.hpp"
#include "policy/policy_set.hpp"

namespace signet::policy {

// Whether any policy of the set has a validate.manifests rule.
bool has_manifest_rules(const PolicySet& policies);

// Results for every validate.manifests rule whose match/exclude select `request` (no autogen: Kyverno
// generates none for manifest rules). Dry-run requests pass unverified, as Kyverno lets them. No I/O:
// a rule with dryRun that would need the API server is an Error.
std::vector<RuleResult> evaluate_manifest_rules(const PolicySet& policies, const AdmissionRequest& request);

// The same, with `dry_runner` (when not null) creating signed manifests in dry-run for rules with dryRun,
// by `deadline`.
boost::asio::awaitable<std::vector<RuleResult>> evaluate_manifest_rules(const PolicySet& policies,
                                                                        const AdmissionRequest& request,
                                                                        DryRunner* dry_runner, oci::Deadline deadline);

}  // namespace signet::policy
