// One YAML document of a policy file: a Kyverno ClusterPolicy or Policy (kyverno.io/v1 or v2beta1, or
// signet's own ClusterImagePolicy / ImagePolicy of the same shape) read into the model, refused with
// the first field that cannot be honoured; any other kind refused, or skipped when it cannot verify images.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "policy/cluster_objects.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/loader/manifests.hpp"
#include "policy/model.hpp"

namespace signet::policy::loader {

struct DocumentOutcome {
  std::optional<Policy> policy;         // accepted
  std::optional<FieldProblem> problem;  // refused
  std::string subject;                  // "ClusterPolicy check-images", for messages
  int name_line = 0;                    // the line of metadata.name (or of the document)
  std::vector<std::string> notes;       // rules dropped, or why the document was skipped
  bool refused_kind = false;            // refused for its kind alone (loader_kinds.hpp), not for a field
};

// `line_offset`: how many lines of the file precede the document, so lines are the file's.
// `keys` reads k8s:// keys, keys.secret and the ConfigMaps of context entries; null refuses them.
// `dry_run`: null refuses manifests' dryRun.enable.
DocumentOutcome parse_document(const YAML::Node& root, int line_offset, ClusterObjects* keys = nullptr,
                               const DryRunSettings* dry_run = nullptr);

}  // namespace signet::policy::loader
