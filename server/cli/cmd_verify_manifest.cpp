// signet verify-manifest: the validate.manifests rules of a policy set applied to a manifest file
// offline, each object as if it were being created.
#include <iostream>

#include <yaml-cpp/yaml.h>

#include "policy/decision.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/manifest_rules.hpp"
#include "policy/policy_set.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/policy_loading.hpp"

namespace signet::server {
namespace {

const char* const kVerifyManifestUsage =
    "usage: signet verify-manifest --policy PATH [--namespace NS] FILE.yaml\n"
    "Checks every object of FILE.yaml against the validate.manifests rules of the policies at PATH (a file\n"
    "or folder), as a CREATE in its namespace (or NS). Prints one line per object and rule; exits 1 when a\n"
    "rule failed (Audit failures are printed as warnings and do not), 2 on bad input.\n";

std::string text_at(const policy::json::Value& object, std::string_view a, std::string_view b = {}) {
  const policy::json::Value* value = object.find(a);
  if (value != nullptr && !b.empty()) value = value->find(b);
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

policy::AdmissionRequest request_for(const policy::json::Value& object, const std::string& fallback_namespace) {
  policy::AdmissionRequest request;
  request.operation = "CREATE";
  const std::string api_version = text_at(object, "apiVersion");
  const auto slash = api_version.find('/');
  request.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  request.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  request.kind = text_at(object, "kind");
  request.name = text_at(object, "metadata", "name");
  request.namespace_name = text_at(object, "metadata", "namespace");
  if (request.namespace_name.empty()) request.namespace_name = fallback_namespace;
  if (const auto* metadata = object.find("metadata")) {
    for (const char* field : {"labels", "annotations"}) {
      const auto* map = metadata->find(field);
      if (map == nullptr || !map->is_object()) continue;
      for (const auto& [key, value] : map->as_object()) {
        if (!value.is_string()) continue;
        (std::string_view(field) == "labels" ? request.labels : request.annotations)[key] = value.as_string();
      }
    }
  }
  request.json = policy::json::Value(
      policy::json::Object{{"operation", policy::json::Value(std::string("CREATE"))}, {"object", object}});
  return request;
}

}  // namespace

int run_verify_manifest(const std::vector<std::string>& args) {
  auto line = CommandLine::parse(args, {{"policy"}, {"namespace"}, {"help", false}});
  if (!line) {
    std::cerr << "signet verify-manifest: " << line.error().message << "\n" << kVerifyManifestUsage;
    return kExitUsage;
  }
  if (line->has("help")) {
    std::cout << kVerifyManifestUsage;
    return kExitOk;
  }
  if (!line->has("policy") || line->positional().size() != 1) {
    std::cerr << "signet verify-manifest: give --policy PATH and one manifest file\n" << kVerifyManifestUsage;
    return kExitUsage;
  }
  const auto report = policy::load_policies(line->get("policy"));
  if (!report_policy_load(report, false)) return kExitUsage;
  const policy::PolicySet policies = policy::PolicySet::of(report.accepted);
  if (!policies.has_manifest_rules) {
    std::cerr << "signet verify-manifest: the policies at " << line->get("policy")
              << " have no validate.manifests rule\n";
    return kExitUsage;
  }
  const std::string file = line->positional().front();
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAllFromFile(file);
  } catch (const YAML::BadFile&) {
    std::cerr << "signet verify-manifest: cannot read " << file << "\n";
    return kExitUsage;
  } catch (const YAML::Exception& error) {
    std::cerr << "signet verify-manifest: " << file << ": not YAML: " << error.msg << "\n";
    return kExitUsage;
  }
  bool failed = false;
  int objects = 0;
  for (const auto& node : nodes) {
    policy::loader::Problems problems;
    const auto object = policy::loader::Field::root(node, 0, problems).to_json();
    if (!object.is_object()) continue;
    ++objects;
    const auto request = request_for(object, line->get("namespace", "default"));
    const auto results = policy::evaluate_manifest_rules(policies, request);
    const std::string resource = request.kind + "/" + request.namespace_name + "/" + request.name;
    if (results.empty()) std::cout << "skip  " << resource << ": no validate.manifests rule applies\n";
    for (const auto& result : results) {
      const bool pass = result.status == policy::RuleStatus::Pass;
      failed = failed || (!pass && result.enforce);
      std::cout << (pass             ? "pass  "
                    : result.enforce ? "FAIL  "
                                     : "warn  ")
                << result.image << " policy " << result.policy << " rule " << result.rule
                << (pass ? "" : ": " + result.message) << "\n";
    }
  }
  if (objects == 0) {
    std::cerr << "signet verify-manifest: " << file << " holds no Kubernetes object\n";
    return kExitUsage;
  }
  return failed ? kExitFailed : kExitOk;
}

}  // namespace signet::server
