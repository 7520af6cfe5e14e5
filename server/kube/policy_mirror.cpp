#include "server/kube/policy_mirror.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace signet::server::kube {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// The object as the policy loader will read it: indented JSON (so loader errors name useful lines) after a
// comment saying where it came from.
Result<std::string> policy_text(const ResourceType& type, const KubeObject& object) {
  rapidjson::Document doc;
  if (doc.Parse(object.json.c_str(), object.json.size()).HasParseError() || !doc.IsObject())
    return Error::invalid(type.name() + " " + object.name + " is not a JSON object");
  doc.RemoveMember("status");
  if (auto metadata = doc.FindMember("metadata"); metadata != doc.MemberEnd() && metadata->value.IsObject()) {
    metadata->value.RemoveMember("managedFields");
    if (auto annotations = metadata->value.FindMember("annotations");
        annotations != metadata->value.MemberEnd() && annotations->value.IsObject()) {
      annotations->value.RemoveMember(kLastApplied);
      if (annotations->value.ObjectEmpty()) metadata->value.RemoveMember("annotations");
    }
  }
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(out);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  const std::string who =
      type.name() + " " + (object.namespace_name.empty() ? "" : object.namespace_name + "/") + object.name;
  return "# " + who + " (resourceVersion " + object.resource_version +
         ") mirrored from the Kubernetes API by signet; edits here are overwritten\n" +
         std::string(out.GetString(), out.GetSize()) + "\n";
}

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The file after the object's name: Kubernetes names are DNS subdomains, so they never hold a slash or
// start with a dot; a name that would is refused rather than written outside the folder.
bool safe_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

PolicyMirror::PolicyMirror(fs::path dir) : dir_(std::move(dir)) {}

fs::path PolicyMirror::file_for(const ResourceType& type, const std::string& ns, const std::string& name) const {
  fs::path folder = dir_ / type.name();
  if (type.namespaced) folder /= ns;
  return folder / (name + ".yaml");
}

Result<bool> PolicyMirror::write(const ResourceType& type, const KubeObject& object) {
  if (!safe_name(object.name) || (type.namespaced && !safe_name(object.namespace_name)))
    return Error::invalid(type.name() + ": refusing the object name \"" + object.name + "\"");
  auto text = policy_text(type, object);
  if (!text) return text.error();
  const fs::path file = file_for(type, object.namespace_name, object.name);
  if (auto existing = read_text(file); existing && *existing == *text) return false;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return Error::invalid("cannot create the policy folder " + file.parent_path().string() + ": " + ec.message());
  // Hidden: the policy loader skips it, even if a reload happens to run before the rename.
  const fs::path temporary = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << *text;
    out.close();
    if (!out) return Error::invalid("cannot write " + temporary.string());
  }
  fs::rename(temporary, file, ec);
  if (ec) return Error::invalid("cannot rename " + temporary.string() + " to " + file.string() + ": " + ec.message());
  return true;
}

Result<bool> PolicyMirror::remove(const ResourceType& type, const KubeObject& object) {
  if (!safe_name(object.name) || (type.namespaced && !safe_name(object.namespace_name))) return false;
  std::error_code ec;
  const bool removed = fs::remove(file_for(type, object.namespace_name, object.name), ec);
  if (ec) return Error::invalid("cannot remove the mirrored policy " + object.name + ": " + ec.message());
  return removed;
}

Result<bool> PolicyMirror::reconcile(const ResourceType& type, const std::vector<KubeObject>& items) {
  bool changed = false;
  std::set<fs::path> wanted;
  for (const auto& object : items) {
    auto written = write(type, object);
    if (!written) return written.error();
    changed = changed || *written;
    wanted.insert(file_for(type, object.namespace_name, object.name));
  }
  const fs::path folder = dir_ / type.name();
  std::error_code ec;
  if (!fs::exists(folder, ec)) return changed;
  std::vector<fs::path> stale;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && !wanted.count(it->path())) stale.push_back(it->path());
  }
  if (ec) return Error::invalid("cannot list the policy folder " + folder.string() + ": " + ec.message());
  for (const auto& file : stale) {
    fs::remove(file, ec);
    if (ec) return Error::invalid("cannot remove the stale policy " + file.string() + ": " + ec.message());
    changed = changed || file.extension() == ".yaml";
  }
  return changed;
}

}  // namespace signet::server::kube
