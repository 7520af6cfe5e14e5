// A rule's `validate` block holding `manifests` (Kyverno's Manifests): attestors, annotationDomain,
// ignoreFields and dryRun, with validate.failureAction and validate.message. What signet cannot honour
// (dryRun.enable without an API server, manifests in OCI images) is refused by name.
#pragma once

#include <optional>

#include "policy/cluster_objects.hpp"
#include "policy/loader_yaml.hpp"
#include "policy/model.hpp"

namespace signet::policy::loader {

// `validate` is the rule's validate field, which has `manifests`; `variables` (the rule's context) substitute
// the attestors' variables.
std::optional<ManifestValidation> parse_manifest_validation(const Field& validate, ClusterObjects* keys = nullptr,
                                                            const LoadVariables* variables = nullptr);

}  // namespace signet::policy::loader
