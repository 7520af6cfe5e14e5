// Comparing what a Kyverno CLI test expects with what signet decided, and the table `signet test`
// prints, as `kyverno test` does.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "policy/engine.hpp"
#include "policy/policy_set.hpp"
#include "server/cli/cli_test_file.hpp"
#include "server/cli/cli_test_resources.hpp"

namespace signet::server {

// One expectation for one resource.
struct CliTestRow {
  std::string policy;
  std::string rule;
  std::string resource;  // "Kind/namespace/name", or the name as the test wrote it when not found
  std::string want;      // pass, fail, skip, warn, error
  std::string got;       // pass, fail, skip, error; "" when the policy, rule or resource was not found
  std::string message;   // the engine's reason, or what was not found

  bool met() const { return !got.empty() && got == want; }
  std::string reason() const;  // "Ok", "Want pass, Got fail", "Not found"
};

// What signet decided for one (policy, rule) on one resource, from the results of every image: no
// result is skip (the rule does not apply); else error if any image errored, fail if any failed, pass
// if any passed (the others skipped by skipImageReferences), skip when all were skipped. `message` gets
// the first reason given for that outcome, prefixed by its image.
std::string rule_outcome(const policy::Decision& decision, const std::string& policy, const std::string& rule,
                         std::string* message);

// One row per (expectation, resource named in it), in the test's order. `decisions[i]` is the decision
// for `resources[i]`. Policies are found by "namespace/name" or by name, rules by name with Kyverno's
// "autogen-" and "autogen-cronjob-" prefixes dropped, resources by name or "namespace/name", then kind
// and namespace when the expectation gives them.
std::vector<CliTestRow> compare_expectations(const CliTest& test, const policy::PolicySet& policies,
                                             const std::vector<TestResource>& resources,
                                             const std::vector<policy::Decision>& decisions);

// The table: ID, POLICY, RULE, RESOURCE, RESULT (Pass when the expectation was met, else Fail), REASON,
// and MESSAGE when `detailed`. IDs start at `first_id`.
void print_rows(std::ostream& out, const std::vector<CliTestRow>& rows, int first_id, bool detailed);

}  // namespace signet::server
