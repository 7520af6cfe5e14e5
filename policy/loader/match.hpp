// A rule's `match` and `exclude` blocks: any/all resource filters or the legacy direct form, resource
// descriptions, label selectors and user info, validated as Kyverno's admission webhook validates them.
#pragma once

#include "policy/cluster_objects.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/model.hpp"

namespace signet::policy {
struct DryRunSettings;
}

namespace signet::policy::loader {

// What changes how a document is read.
struct SchemaContext {
  bool v1 = true;                  // kyverno.io/v1 still accepts the deprecated fields v2beta1 dropped
  bool namespaced = false;         // a Policy: its rules may not filter namespaces
  ClusterObjects* keys = nullptr;  // reads k8s:// keys, keys.secret, context ConfigMaps; null refuses them
  const DryRunSettings* dry_run = nullptr;  // lets manifest rules use dryRun; null = it is refused
};

// `required_kinds`: match blocks must name kinds (Kyverno's rule); exclude blocks need not.
MatchResources parse_match_resources(const Field& field, const SchemaContext& context, bool required_kinds);

// Kyverno's "Rule is matching an empty set": a match.any filter repeated verbatim in exclude.any.
bool excludes_everything(const MatchResources& match, const MatchResources& exclude);

}  // namespace signet::policy::loader
