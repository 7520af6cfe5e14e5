// Which rules apply to an admission request: Kyverno's match / exclude (kinds with group/version and
// subresource, names, namespaces, annotations, operations, label selectors, subjects, roles), the
// namespace of a namespaced Policy, and autogen (a rule written for Pods also covers the pod templates
// of controllers).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/admission.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// Whether `rule` of `policy` applies to `request`, as written or through its autogen form.
bool rule_applies(const Policy& policy, const Rule& rule, const AdmissionRequest& request);

// The match block selects the request (any / all / the legacy direct form).
bool matches(const MatchResources& match, const AdmissionRequest& request);
// The exclude block removes the request.
bool excludes(const MatchResources& exclude, const AdmissionRequest& request);

// A kind selector as Kyverno parses it: "Pod", "v1/Pod", "apps/v1/Deployment", "Pod/status",
// "apps/v1/Deployment/scale", "*", "*/*" (every part a wildcard pattern).
struct KindSelector {
  std::string group, version, kind, subresource;
};
KindSelector parse_kind_selector(std::string_view text);
bool kind_matches(const std::vector<std::string>& kinds, const AdmissionRequest& request);

// metav1.LabelSelector over `labels`, with Kyverno's wildcards in matchLabels keys and values.
bool selector_matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

bool subjects_match(const std::vector<Subject>& subjects, const UserInfo& user);

// The controller kinds ("Deployment", …, "CronJob") a Pod rule of `policy` also covers; empty when
// autogen does not apply to the policy (a rule selects by name, selector or annotations, or mixes Pod
// with other kinds), as Kyverno's autogen decides.
std::vector<std::string> autogen_kinds(const Policy& policy);

// The match / exclude Kyverno generates from `rule` for the pod controller `controller`, or nullopt
// when the rule has no autogen form for it.
struct GeneratedMatch {
  MatchResources match;
  std::optional<MatchResources> exclude;
};
std::optional<GeneratedMatch> autogen_match(const Policy& policy, const Rule& rule, std::string_view controller);

}  // namespace signet::policy
