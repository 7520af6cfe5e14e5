// Kyverno CLI test files (`kyverno-test.yaml`): the policies, the resources and the results expected of
// them, as `kyverno test` reads them (cli.kyverno.io/v1alpha1 Test, and the older form without
// apiVersion and kind).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "crypto/result.hpp"

namespace signet::server {

// One entry of `results`: what a policy's rule must decide for some resources.
struct CliTestExpectation {
  int index = 0;                       // position in `results`, for messages
  std::string policy;                  // "name", or "namespace/name" for a Policy
  std::string rule;                    // as written (possibly "autogen-<rule>")
  std::vector<std::string> resources;  // names, or "namespace/name"; `resource` folded in
  std::string kind;                    // "" = any kind
  std::string namespace_name;          // the resources' namespace; "" = any
  std::string result;                  // pass, fail, skip, warn or error (`status` folded in)
};

struct CliTest {
  std::filesystem::path file;
  std::string name;                              // metadata.name, or the older `name`
  std::vector<std::filesystem::path> policies;   // resolved against the test file's folder
  std::vector<std::filesystem::path> resources;  // idem
  std::vector<CliTestExpectation> results;
  std::vector<std::string> notes;  // what signet reads but does not check (patchedResource, …)
};

// Reads one test file. A YAML error, a field of the wrong type, an unknown field, a result other than
// pass/fail/skip/warn/error, or a field signet cannot honour (variables, userinfo, exceptions…) is an
// error naming the file, the line and the field.
Result<CliTest> load_cli_test(const std::filesystem::path& file);

// The test files under `path`: `path` itself when it is a file, else every file called `file_name`
// under it (recursively, hidden folders skipped), in path order. A path that does not exist is an error.
Result<std::vector<std::filesystem::path>> find_cli_tests(const std::filesystem::path& path,
                                                          const std::string& file_name);

}  // namespace signet::server
