// A rule's `context` entries, read and evaluated while the policy loads: ConfigMaps through
// ClusterObjects and variables from constants and earlier entries, as Kyverno's context loaders
// (pkg/engine/context/loaders) evaluate them at admission. Their values substitute the {{ }} variables of
// the rule's attestors and are seen by its attestation conditions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/cluster_objects.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/model.hpp"

namespace signet::policy::loader {

class RuleContext final : public LoadVariables {
 public:
  // No entries: every variable is refused with what it would need.
  RuleContext() = default;
  // Reads and evaluates `field` (rule.context); problems are reported at the entry's field.
  // `policy` gives the namespace a Policy's ConfigMaps are read in; `cluster` null refuses ConfigMaps.
  static RuleContext parse(const Field& field, const Policy& policy, ClusterObjects* cluster);

  const std::vector<ContextEntry>& entries() const { return entries_; }
  json::Value values() const { return json::Value(values_); }

  Result<json::Value> substitute(const std::string& text) const override;
  std::string origin(const std::string& text) const override;

 private:
  void add(const Field& field, const Policy& policy, ClusterObjects* cluster);
  std::optional<json::Value> read_config_map(const Field& field, const Policy& policy, ClusterObjects* cluster,
                                             ConfigMapReference& reference) const;
  std::optional<json::Value> evaluate_variable(const Field& field, const ContextVariable& variable) const;
  // `value` with its variables substituted from the entries so far; variables that need an admission
  // (request, images, element, …) are refused by name.
  Result<json::Value> resolve(const json::Value& value) const;
  Result<void> check_admission_free(const std::string& expression) const;
  Result<void> check_admission_free(const json::Value& value) const;  // every variable of every string

  std::vector<ContextEntry> entries_;
  json::Object values_;
  std::map<std::string, std::string> sources_;  // entry name → "ConfigMap default/keys", "variable"
};

}  // namespace signet::policy::loader
