// A rule's `validate` block holding `manifests` (Kyverno's Manifests): attestors, annotationDomain,
// ignoreFields and dryRun, with validate.failureAction and validate.message. What signet cannot honour
// (dryRun.enable without an API client for it, manifests in OCI images) is refused by name.
#pragma once

#include <optional>
#include <string>

#include "policy/cluster_objects.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// What the loader needs to accept `dryRun.enable: true`: signet serve --kube-dry-run gives it an API client
// that creates objects in dry-run (manifest_dry_run.hpp).
struct DryRunSettings {
  std::string default_namespace;  // for rules that name no dryRun.namespace
  // signet's own ("" when unknown), refused as Kyverno refuses its own: the webhooks of a cluster usually
  // leave it out, and signet's credentials live there
  std::string own_namespace;
};

namespace loader {

// `validate` is the rule's validate field, which has `manifests`; `variables` (the rule's context) substitute
// the attestors' variables. Without `dry_run`, dryRun.enable is refused naming the flag that gives it.
std::optional<ManifestValidation> parse_manifest_validation(const Field& validate, ClusterObjects* keys = nullptr,
                                                            const LoadVariables* variables = nullptr,
                                                            const DryRunSettings* dry_run = nullptr);

}  // namespace loader
}  // namespace signet::policy
