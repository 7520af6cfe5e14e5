#include "server/cli/cli_test_report.hpp"

#include <algorithm>
#include <array>
#include <ostream>

namespace signet::server {
namespace {

const policy::Policy* find_policy(const policy::PolicySet& policies, const std::string& wanted) {
  for (const auto& policy : policies.policies) {
    if (policy.display_name() == wanted) return &policy;
  }
  for (const auto& policy : policies.policies) {
    if (policy.name == wanted) return &policy;
  }
  return nullptr;
}

// Kyverno names the rules it generates for pod controllers "autogen-<rule>"; signet applies the rule
// itself, under its own name.
const policy::Rule* find_rule(const policy::Policy& policy, const std::string& wanted) {
  for (const std::string& name : {wanted, wanted.starts_with("autogen-cronjob-") ? wanted.substr(16) : "",
                                  wanted.starts_with("autogen-") ? wanted.substr(8) : ""}) {
    for (const auto& rule : policy.rules) {
      if (!name.empty() && rule.name == name) return &rule;
    }
  }
  return nullptr;
}

bool names_resource(const std::string& wanted, const CliTestExpectation& e, const TestResource& r) {
  if (wanted != r.name && wanted != r.namespace_name + "/" + r.name) return false;
  if (!e.kind.empty() && e.kind != r.kind) return false;
  return e.namespace_name.empty() || e.namespace_name == r.namespace_name;
}

int rank(policy::RuleStatus status) {
  switch (status) {
    case policy::RuleStatus::Error:
      return 3;
    case policy::RuleStatus::Fail:
      return 2;
    case policy::RuleStatus::Pass:
      return 1;
    case policy::RuleStatus::Skip:
      return 0;
  }
  return 0;
}

}  // namespace

std::string CliTestRow::reason() const {
  if (got.empty()) return "Not found";
  if (met()) return "Ok";
  return "Want " + want + ", Got " + got;
}

std::string rule_outcome(const policy::Decision& decision, const std::string& policy, const std::string& rule,
                         std::string* message) {
  const policy::RuleResult* worst = nullptr;
  for (const auto& result : decision.results) {
    if (result.policy != policy || result.rule != rule) continue;
    if (worst == nullptr || rank(result.status) > rank(worst->status)) worst = &result;
  }
  if (worst == nullptr) {
    if (message) *message = "the rule does not apply to this resource";
    return "skip";
  }
  if (message) *message = worst->message.empty() ? "" : worst->image + ": " + worst->message;
  return policy::to_string(worst->status);
}

std::vector<CliTestRow> compare_expectations(const CliTest& test, const policy::PolicySet& policies,
                                             const std::vector<TestResource>& resources,
                                             const std::vector<policy::Decision>& decisions) {
  std::vector<CliTestRow> rows;
  for (const auto& e : test.results) {
    const policy::Policy* policy = find_policy(policies, e.policy);
    const policy::Rule* rule = policy ? find_rule(*policy, e.rule) : nullptr;
    for (const auto& wanted : e.resources) {
      CliTestRow row{e.policy, e.rule, (e.kind.empty() ? "" : e.kind + "/") + wanted, e.result, "", ""};
      if (!policy) {
        row.message = "no policy named \"" + e.policy + "\" in the test's policies";
        rows.push_back(std::move(row));
        continue;
      }
      if (!rule) {
        row.message = "policy " + policy->display_name() + " has no verifyImages rule named \"" + e.rule +
                      "\" (signet runs verifyImages rules only)";
        rows.push_back(std::move(row));
        continue;
      }
      bool found = false;
      for (std::size_t i = 0; i < resources.size(); ++i) {
        if (!names_resource(wanted, e, resources[i])) continue;
        found = true;
        CliTestRow match = row;
        match.resource = resources[i].display();
        match.got = rule_outcome(decisions[i], policy->display_name(), rule->name, &match.message);
        rows.push_back(std::move(match));
      }
      if (!found) {
        row.message = "no resource \"" + wanted + "\"" + (e.kind.empty() ? "" : " of kind " + e.kind) +
                      (e.namespace_name.empty() ? "" : " in namespace " + e.namespace_name) +
                      " in the test's resources";
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

void print_rows(std::ostream& out, const std::vector<CliTestRow>& rows, int first_id, bool detailed) {
  using Line = std::array<std::string, 7>;
  std::vector<Line> lines{{"ID", "POLICY", "RULE", "RESOURCE", "RESULT", "REASON", "MESSAGE"}};
  int id = first_id;
  for (const auto& row : rows) {
    lines.push_back({std::to_string(id++), row.policy, row.rule, row.resource, row.met() ? "Pass" : "Fail",
                     row.reason(), row.message});
  }
  const std::size_t columns = detailed ? 7 : 6;
  std::array<std::size_t, 7> width{};
  for (const auto& line : lines) {
    for (std::size_t c = 0; c < columns; ++c) width[c] = std::max(width[c], line[c].size());
  }
  for (const auto& line : lines) {
    std::string text;
    for (std::size_t c = 0; c < columns; ++c) {
      text += line[c];
      if (c + 1 < columns) text += std::string(width[c] - line[c].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
}

}  // namespace signet::server
