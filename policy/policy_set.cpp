#include "policy/policy_set.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "policy/engine.hpp"
#include "policy/loader/document.hpp"
#include "policy/manifest_rules.hpp"

namespace signet::policy {

namespace fs = std::filesystem;

namespace {

// Policy files are small; a larger one is a mistake (or an attack) rather than a policy.
constexpr std::uintmax_t kMaxFileSize = 4 * 1024 * 1024;

struct DocumentText {
  std::string text;
  int first_line = 0;  // lines of the file before the document
};

bool is_marker(std::string_view line, std::string_view marker) {
  return line.starts_with(marker) &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n');
}

// Splits a file at its document markers so each document is parsed alone: a syntax error then costs
// only its own document. "---" and "..." at the start of a line always mark documents in YAML (block
// scalars are indented), so no YAML parsing is needed to find them.
std::vector<DocumentText> split_documents(const std::string& content) {
  std::vector<DocumentText> documents(1);
  std::size_t start = 0;
  int line = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    std::size_t next = end == std::string::npos ? content.size() : end + 1;
    std::string_view text(content.data() + start, next - start);
    if (is_marker(text, "---")) documents.push_back({"", line});
    documents.back().text += text;
    if (is_marker(text, "...")) documents.push_back({"", line + 1});
    start = next;
    ++line;
  }
  return documents;
}

bool is_yaml_file(const fs::path& path) {
  auto extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml";
}

bool is_hidden(const fs::path& path) {
  auto name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

// The policy files under `path`, sorted. Hidden files and folders are skipped: a mounted ConfigMap
// keeps its real files in "..data"-style folders beside the visible links to them.
std::vector<fs::path> policy_files(const fs::path& path, std::vector<PolicyError>& errors) {
  std::vector<fs::path> files;
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    errors.push_back({path.string(), 0, "", 0, "cannot read policies: no such file or directory"});
    return files;
  }
  if (ec) {
    errors.push_back({path.string(), 0, "", 0, "cannot read policies: " + ec.message()});
    return files;
  }
  if (!fs::is_directory(status)) {
    files.push_back(path);
    return files;
  }
  fs::recursive_directory_iterator it(path, fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (is_hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && is_yaml_file(it->path())) files.push_back(it->path());
  }
  if (ec) errors.push_back({path.string(), 0, "", 0, "cannot list policies: " + ec.message()});
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<std::string> read_file(const fs::path& path, std::string& problem) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    problem = "cannot read: " + ec.message();
    return std::nullopt;
  }
  if (size > kMaxFileSize) {
    problem = "the file is larger than 4 MiB; policy files are expected to be small";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = std::string("cannot read: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string policy_key(const Policy& policy) {
  return (policy.kind == PolicyKind::ClusterPolicy ? "ClusterPolicy/" : "Policy/" + policy.namespace_name + "/") +
         policy.name;
}

void load_file(const fs::path& path, LoadReport& report, std::map<std::string, std::string>& seen, ClusterObjects* keys,
               const DryRunSettings* dry_run) {
  const std::string file = path.string();
  std::string problem;
  auto content = read_file(path, problem);
  if (!content) {
    report.errors.push_back({file, 0, "", 0, problem});
    return;
  }
  int document = 0;
  for (const DocumentText& text : split_documents(*content)) {
    YAML::Node root;
    try {
      root = YAML::Load(text.text);
    } catch (const YAML::DeepRecursion& e) {
      int line = e.mark.is_null() ? 0 : e.mark.line + 1 + text.first_line;
      report.errors.push_back({file, document + 1, "", line, "invalid YAML: nested too deeply"});
      ++document;
      continue;
    } catch (const YAML::Exception& e) {
      int line = e.mark.is_null() ? 0 : e.mark.line + 1 + text.first_line;
      report.errors.push_back({file, document + 1, "", line, "invalid YAML: " + e.msg});
      ++document;
      continue;
    }
    if (!root.IsDefined() || root.IsNull()) continue;  // an empty document, or comments only
    ++document;
    const std::string where = file + ": document " + std::to_string(document);

    loader::DocumentOutcome outcome;
    try {
      outcome = loader::parse_document(root, text.first_line, keys, dry_run);
    } catch (const YAML::Exception& e) {
      // The reader checks types before reading, so this is a defect; the policy is refused, not lost.
      report.errors.push_back({file, document, "", 0, std::string("unexpected YAML error: ") + e.what()});
      continue;
    }
    if (outcome.problem) {
      report.errors.push_back({file, document, outcome.problem->field_path, outcome.problem->line,
                               outcome.problem->message, outcome.refused_kind});
      continue;
    }
    if (!outcome.policy) {
      for (const auto& note : outcome.notes) report.notes.push_back(where + ": " + note);
      continue;
    }
    Policy& policy = *outcome.policy;
    policy.file = file;
    policy.document = document;
    const std::string key = policy_key(policy);
    auto [previous, inserted] = seen.emplace(key, where);
    if (!inserted) {
      report.errors.push_back({file, document, "metadata.name", outcome.name_line,
                               "the policy " + policy.display_name() + " is already defined in " + previous->second});
      continue;
    }
    for (const auto& note : outcome.notes) report.notes.push_back(where + " (" + outcome.subject + "): " + note);
    report.accepted.push_back(std::move(policy));
  }
}

std::string answer_text(const Result<std::string>& answer) {
  return answer ? *answer : "error: " + answer.error().message;
}

// Names, sizes and modification times of the policy files: what reload() compares to notice a change.
std::string files_fingerprint(const std::vector<fs::path>& paths) {
  std::vector<PolicyError> errors;
  std::string fingerprint;
  for (const auto& path : paths) fingerprint += "path=" + path.string() + "\n";
  std::vector<fs::path> files;
  for (const auto& path : paths) {
    for (auto& file : policy_files(path, errors)) files.push_back(std::move(file));
  }
  for (const auto& file : files) {
    std::error_code size_ec, time_ec;
    auto size = fs::file_size(file, size_ec);
    auto time = fs::last_write_time(file, time_ec);
    fingerprint += file.string() + "|" + (size_ec ? "?" : std::to_string(size)) + "|" +
                   (time_ec ? "?" : std::to_string(time.time_since_epoch().count())) + "\n";
  }
  for (const auto& error : errors) fingerprint += "error|" + error.message + "\n";
  return fingerprint;
}

// What a load read from the cluster and what it got, so a later reload notices a rotated key or an edited
// ConfigMap even when no policy file changed.
class RecordingClusterObjects final : public ClusterObjects {
 public:
  explicit RecordingClusterObjects(ClusterObjects* inner) : inner_(inner) {}
  Result<std::string> public_key(const std::string& namespace_name, const std::string& name) override {
    return record({"Secret", namespace_name, name}, inner_->public_key(namespace_name, name));
  }
  Result<std::string> config_map(const std::string& namespace_name, const std::string& name) override {
    return record({"ConfigMap", namespace_name, name}, inner_->config_map(namespace_name, name));
  }
  std::map<ClusterObjectKey, std::string> answers;

 private:
  Result<std::string> record(ClusterObjectKey key, Result<std::string> answer) {
    answers[std::move(key)] = answer_text(answer);
    return answer;
  }
  ClusterObjects* inner_;
};

}  // namespace

std::string PolicyError::to_string() const {
  std::string text = file;
  if (line > 0) text += ":" + std::to_string(line);
  text += ": ";
  if (document > 0) text += "document " + std::to_string(document) + ": ";
  if (!field_path.empty()) text += field_path + ": ";
  return text + message;
}

PolicySet PolicySet::of(std::vector<Policy> accepted) {
  PolicySet set;
  set.policies = std::move(accepted);
  set.reads_request_json = policy::reads_request_json(set);
  set.has_manifest_rules = policy::has_manifest_rules(set);
  return set;
}

LoadReport load_policies(const fs::path& path, ClusterObjects* keys, const DryRunSettings* dry_run) {
  return load_policies(std::vector<fs::path>{path}, keys, dry_run);
}

LoadReport load_policies(const std::vector<fs::path>& paths, ClusterObjects* keys, const DryRunSettings* dry_run) {
  LoadReport report;
  std::map<std::string, std::string> seen;  // policy identity → where it was defined, across every path
  for (const auto& path : paths) {
    for (const auto& file : policy_files(path, report.errors)) load_file(file, report, seen, keys, dry_run);
  }
  return report;
}

PolicyStore::PolicyStore(fs::path path, std::shared_ptr<ClusterObjects> cluster, std::optional<DryRunSettings> dry_run)
    : PolicyStore(std::vector<fs::path>{std::move(path)}, std::move(cluster), std::move(dry_run)) {}

PolicyStore::PolicyStore(std::vector<fs::path> paths, std::shared_ptr<ClusterObjects> cluster,
                         std::optional<DryRunSettings> dry_run)
    : paths_(std::move(paths)),
      current_(std::make_shared<const PolicySet>()),
      cluster_(std::move(cluster)),
      dry_run_(std::move(dry_run)) {}

std::optional<LoadReport> PolicyStore::reload(bool force) {
  std::lock_guard reloading(reload_mutex_);  // also guards cluster_answers_
  std::string fingerprint = files_fingerprint(paths_);
  bool unchanged = false;
  {
    std::lock_guard lock(mutex_);
    unchanged = !force && fingerprint == last_fingerprint_;
  }
  if (unchanged && !cluster_changed()) return std::nullopt;
  RecordingClusterObjects recording(cluster_.get());
  LoadReport report = load_policies(paths_, cluster_ ? &recording : nullptr, dry_run_ ? &*dry_run_ : nullptr);
  cluster_answers_ = std::move(recording.answers);
  std::lock_guard lock(mutex_);
  last_fingerprint_ = std::move(fingerprint);
  if (report.errors.empty()) {
    current_ = std::make_shared<const PolicySet>(PolicySet::of(report.accepted));
    loaded_ = true;
  }
  return report;
}

bool PolicyStore::cluster_changed() const {
  for (const auto& [object, last] : cluster_answers_) {
    const auto& [kind, ns, name] = object;
    auto answer = kind == "Secret" ? cluster_->public_key(ns, name) : cluster_->config_map(ns, name);
    if (answer_text(answer) != last) return true;
  }
  return false;
}

std::shared_ptr<const PolicySet> PolicyStore::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

bool PolicyStore::loaded() const {
  std::lock_guard lock(mutex_);
  return loaded_;
}

}  // namespace signet::policy
