#include "policy/manifests/dry_run.hpp"

#include <array>
#include <functional>
#include <string_view>

namespace signet::policy::manifest {
namespace {

constexpr std::string_view kNameSuffix = "-dry-run";
constexpr std::array<std::string_view, 4> kCrdNames = {"kind", "listKind", "singular", "plural"};

bool is_crd(const json::Value& object) {
  const json::Value* kind = object.find("kind");
  return kind != nullptr && kind->is_string() && kind->as_string() == "CustomResourceDefinition";
}

// `object` with member `key` set to `value`, or removed when `value` is null; a non-object is left alone.
json::Value with(const json::Value& object, std::string_view key, const json::Value& value) {
  if (!object.is_object()) return object;
  json::Object members;
  bool replaced = false;
  for (const auto& [name, item] : object.as_object()) {
    if (name != key) {
      members.emplace_back(name, item);
    } else if (!value.is_null()) {
      members.emplace_back(name, value);
      replaced = true;
    }
  }
  if (!replaced && !value.is_null()) members.emplace_back(std::string(key), value);
  return json::Value(std::move(members));
}

// `object` with the string at `key` (if any) passed through `change`.
json::Value changed(const json::Value& object, std::string_view key,
                    const std::function<std::string(const std::string&)>& change) {
  const json::Value* value = object.find(key);
  if (value == nullptr || !value->is_string()) return object;
  return with(object, key, json::Value(change(value->as_string())));
}

json::Value at(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr ? *value : json::Value();
}

// spec.names of a CustomResourceDefinition with `change` applied to each name.
json::Value crd_names_changed(const json::Value& object, const std::function<std::string(const std::string&)>& change) {
  const json::Value spec = at(object, "spec");
  json::Value names = at(spec, "names");
  for (std::string_view key : kCrdNames) names = changed(names, key, change);
  return with(object, "spec", with(spec, "names", names));
}

std::string prefixed(const std::string& name) {
  if (name.empty()) return name;
  const bool upper = name.front() >= 'A' && name.front() <= 'Z';
  return (upper ? "Sim" : "sim") + name;
}

std::string unprefixed(const std::string& name) {
  return name.rfind("Sim", 0) == 0 || name.rfind("sim", 0) == 0 ? name.substr(3) : name;
}

}  // namespace

json::Value dry_run_object(const json::Value& signed_document) {
  const bool crd = is_crd(signed_document);
  json::Value metadata = with(at(signed_document, "metadata"), "namespace", json::Value());
  metadata = changed(metadata, "name", [crd](const std::string& name) {
    return crd ? "sim" + name : name + std::string(kNameSuffix);
  });
  json::Value out = with(signed_document, "metadata", metadata);
  return crd ? crd_names_changed(out, prefixed) : out;
}

json::Value as_signed(const json::Value& answer, const json::Value& signed_document) {
  const bool crd = is_crd(signed_document);
  const json::Value signed_metadata = at(signed_document, "metadata");
  json::Value metadata = with(at(answer, "metadata"), "namespace", at(signed_metadata, "namespace"));
  metadata = changed(metadata, "name", [crd](const std::string& name) {
    if (crd) return unprefixed(name);
    const bool suffixed = name.size() >= kNameSuffix.size() &&
                          name.compare(name.size() - kNameSuffix.size(), kNameSuffix.size(), kNameSuffix) == 0;
    return suffixed ? name.substr(0, name.size() - kNameSuffix.size()) : name;
  });
  json::Value out = with(answer, "metadata", metadata);
  return crd ? crd_names_changed(out, unprefixed) : out;
}

}  // namespace signet::policy::manifest
