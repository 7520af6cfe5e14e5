#include "server/cli/cli_test_file.hpp"

#include <algorithm>
#include <exception>
#include <set>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace signet::server {
namespace {

// Fields of the Test that change what Kyverno decides and that signet does not read yet: a test using
// one is refused rather than run with a different meaning.
constexpr std::string_view kUnsupported[] = {"variables",      "values",      "userinfo",        "exceptions",
                                             "checks",         "jsonPayload", "jsonPayloads",    "targetResources",
                                             "paramResources", "context",     "clusterResources"};

constexpr std::string_view kResults[] = {"pass", "fail", "skip", "warn", "error"};

class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  Error error(const YAML::Node& node, const std::string& field, const std::string& message) const {
    std::string where = file_.string();
    if (node.IsDefined() && !node.Mark().is_null()) where += ":" + std::to_string(node.Mark().line + 1);
    return Error::invalid(where + ": " + field + ": " + message);
  }

  Result<std::string> string(const YAML::Node& node, const std::string& field) const {
    if (!node.IsDefined() || node.IsNull()) return std::string();
    if (!node.IsScalar()) return error(node, field, "expected a string");
    return node.Scalar();
  }

  Result<std::vector<std::string>> strings(const YAML::Node& node, const std::string& field) const {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) return error(node, field, "expected a list of strings");
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto item = string(node[i], field + "[" + std::to_string(i) + "]");
      if (!item) return item.error();
      out.push_back(*item);
    }
    return out;
  }

  // Every key of the map must be one of `known`.
  Result<void> known_fields(const YAML::Node& map, const std::string& field,
                            std::initializer_list<std::string_view> known) const {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end())
        return error(entry.first, field.empty() ? key : field + "." + key, "unknown field");
    }
    return success();
  }

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

Result<CliTestExpectation> read_expectation(const Reader& r, const YAML::Node& node, int index,
                                            std::vector<std::string>& notes) {
  const std::string field = "results[" + std::to_string(index) + "]";
  if (!node.IsMap()) return r.error(node, field, "expected an object");
  if (auto ok = r.known_fields(
          node, field,
          {"policy", "rule", "resources", "resource", "kind", "namespace", "result", "status", "patchedResource",
           "patchedResources", "generatedResource", "cloneSourceResource", "isValidatingAdmissionPolicy"});
      !ok)
    return ok.error();
  CliTestExpectation e;
  e.index = index;
  for (auto [name, target] : {std::pair{"policy", &e.policy},
                              {"rule", &e.rule},
                              {"kind", &e.kind},
                              {"namespace", &e.namespace_name},
                              {"result", &e.result}}) {
    auto value = r.string(node[name], field + "." + name);
    if (!value) return value.error();
    *target = *value;
  }
  if (e.result.empty()) {
    auto status = r.string(node["status"], field + ".status");
    if (!status) return status.error();
    e.result = *status;
  }
  if (e.policy.empty()) return r.error(node, field + ".policy", "is missing");
  if (e.rule.empty()) return r.error(node, field + ".rule", "is missing");
  if (std::find(std::begin(kResults), std::end(kResults), e.result) == std::end(kResults))
    return r.error(node["result"].IsDefined() ? node["result"] : node, field + ".result",
                   "must be pass, fail, skip, warn or error, not \"" + e.result + "\"");
  auto resources = r.strings(node["resources"], field + ".resources");
  if (!resources) return resources.error();
  e.resources = std::move(*resources);
  auto resource = r.string(node["resource"], field + ".resource");
  if (!resource) return resource.error();
  if (!resource->empty()) e.resources.push_back(*resource);
  if (e.resources.empty()) return r.error(node, field + ".resources", "is missing");
  if (node["isValidatingAdmissionPolicy"].IsDefined() && node["isValidatingAdmissionPolicy"].Scalar() == "true")
    return r.error(node["isValidatingAdmissionPolicy"], field + ".isValidatingAdmissionPolicy",
                   "ValidatingAdmissionPolicies are not run by signet");
  for (const char* name : {"patchedResource", "patchedResources", "generatedResource", "cloneSourceResource"}) {
    if (node[name].IsDefined() && !node[name].IsNull())
      notes.push_back(field + "." + name +
                      " is not applicable to signet, which verifies images and neither mutates nor generates "
                      "resources: its result is checked, the resource is not compared");
  }
  return e;
}

Result<CliTest> read_test(const Reader& r, const YAML::Node& root) {
  if (!root.IsMap()) return r.error(root, "document", "expected a Kyverno Test object");
  const auto api_version = r.string(root["apiVersion"], "apiVersion");
  if (!api_version) return api_version.error();
  const auto kind = r.string(root["kind"], "kind");
  if (!kind) return kind.error();
  if (!api_version->empty() || !kind->empty()) {
    if (*api_version != "cli.kyverno.io/v1alpha1" || *kind != "Test")
      return r.error(
          root, "apiVersion",
          "expected apiVersion cli.kyverno.io/v1alpha1 and kind Test, not \"" + *api_version + "\" \"" + *kind + "\"");
  }
  for (std::string_view name : kUnsupported) {
    const YAML::Node value = root[std::string(name)];
    if (value.IsDefined() && !value.IsNull() && !(value.IsSequence() && value.size() == 0))
      return r.error(value, std::string(name), "not supported by signet test yet");
  }
  std::initializer_list<std::string_view> known = {"apiVersion", "kind",      "metadata", "name",
                                                   "policies",   "resources", "results"};
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    const bool unsupported = std::find(std::begin(kUnsupported), std::end(kUnsupported), key) != std::end(kUnsupported);
    if (!unsupported && std::find(known.begin(), known.end(), key) == known.end())
      return r.error(entry.first, key, "unknown field");
  }

  CliTest test;
  test.file = r.file();
  auto name = r.string(root["name"], "name");
  if (!name) return name.error();
  test.name = *name;
  if (const YAML::Node metadata = root["metadata"]; metadata.IsDefined() && !metadata.IsNull()) {
    if (!metadata.IsMap()) return r.error(metadata, "metadata", "expected an object");
    auto metadata_name = r.string(metadata["name"], "metadata.name");
    if (!metadata_name) return metadata_name.error();
    if (!metadata_name->empty()) test.name = *metadata_name;
  }
  const auto folder = r.file().parent_path();
  for (auto [field, target] : {std::pair{"policies", &test.policies}, {"resources", &test.resources}}) {
    auto paths = r.strings(root[field], field);
    if (!paths) return paths.error();
    if (paths->empty()) return r.error(root, field, "is missing: a test needs at least one");
    for (const auto& path : *paths) {
      if (path.starts_with("http://") || path.starts_with("https://"))
        return r.error(root[field], field, "\"" + path + "\": only local files are read");
      target->push_back((folder / path).lexically_normal());
    }
  }
  const YAML::Node results = root["results"];
  if (results.IsDefined() && !results.IsNull()) {
    if (!results.IsSequence()) return r.error(results, "results", "expected a list");
    for (std::size_t i = 0; i < results.size(); ++i) {
      auto expectation = read_expectation(r, results[i], static_cast<int>(i), test.notes);
      if (!expectation) return expectation.error();
      test.results.push_back(std::move(*expectation));
    }
  }
  return test;
}

}  // namespace

Result<CliTest> load_cli_test(const std::filesystem::path& file) {
  const Reader reader(file);
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAllFromFile(file.string());
    std::vector<YAML::Node> present;
    for (const auto& document : documents) {
      if (document.IsDefined() && !document.IsNull()) present.push_back(document);
    }
    if (present.size() != 1)
      return Error::invalid(file.string() + ": expected one Test document, found " + std::to_string(present.size()));
    return read_test(reader, present.front());
  } catch (const YAML::BadFile&) {
    return Error::invalid(file.string() + ": cannot be read");
  } catch (const YAML::Exception& error) {
    return Error::invalid(file.string() + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
}

Result<std::vector<std::filesystem::path>> find_cli_tests(const std::filesystem::path& path,
                                                          const std::string& file_name) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return std::vector<std::filesystem::path>{path};
  if (!std::filesystem::is_directory(path, ec)) return Error::invalid(path.string() + ": no such file or folder");
  std::vector<std::filesystem::path> found;
  std::filesystem::recursive_directory_iterator it(path, ec), end;
  if (ec) return Error::invalid(path.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Error::invalid(path.string() + ": " + ec.message());
    const auto name = it->path().filename().string();
    if (it->is_directory() && name.starts_with(".")) {
      it.disable_recursion_pending();
      continue;
    }
    if (name == file_name && it->is_regular_file()) found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace signet::server
