#include "policy/manifests/diff.hpp"

#include <algorithm>
#include <set>

namespace signet::policy::manifest {
namespace {

void flatten_into(const json::Value& value, const std::string& path, std::map<std::string, json::Value>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.as_object()) flatten_into(item, path.empty() ? key : path + "." + key, out);
  } else if (value.is_array()) {
    const auto& items = value.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      flatten_into(items[i], path.empty() ? std::to_string(i) : path + "." + std::to_string(i), out);
    }
  } else if (!value.is_null()) {
    out.emplace(path, value);
  }
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// An image a mutating webhook only spelled out in full.
bool canonicalised_image(const Difference& difference) {
  if (!ends_with(difference.path, "image") || !difference.signed_ || !difference.admitted) return false;
  if (!difference.signed_->is_string() || !difference.admitted->is_string()) return false;
  const std::string& before = difference.signed_->as_string();
  const std::string& after = difference.admitted->as_string();
  return "docker.io/" + before == after || before + ":latest" == after;
}

std::string show(const json::Value& value) {
  std::string text = json::to_json(value);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

}  // namespace

std::map<std::string, json::Value> flatten(const json::Value& value) {
  std::map<std::string, json::Value> out;
  flatten_into(value, "", out);
  return out;
}

bool covers(std::string_view field, std::string_view path) {
  // Every piece between '*'s must appear in order; the field need not start the path (the original
  // reads it as an unanchored regular expression with '*' as ".*").
  std::size_t at = 0;
  std::size_t start = 0;
  while (start <= field.size()) {
    const std::size_t star = field.find('*', start);
    const std::string_view piece =
        field.substr(start, star == std::string_view::npos ? std::string_view::npos : star - start);
    if (!piece.empty()) {
      const std::size_t found = path.find(piece, at);
      if (found == std::string_view::npos) return false;
      at = found + piece.size();
    }
    if (star == std::string_view::npos) break;
    start = star + 1;
  }
  return true;
}

std::vector<Difference> differences(const json::Value& signed_document, const json::Value& admitted,
                                    const std::vector<std::string>& ignored) {
  const auto before = flatten(signed_document);
  const auto after = flatten(admitted);
  std::set<std::string> paths;
  for (const auto& [path, value] : before) paths.insert(path);
  for (const auto& [path, value] : after) paths.insert(path);
  std::vector<Difference> out;
  for (const auto& path : paths) {
    const auto b = before.find(path);
    const auto a = after.find(path);
    Difference difference{path, std::nullopt, std::nullopt};
    if (b != before.end()) difference.signed_ = b->second;
    if (a != after.end()) difference.admitted = a->second;
    if (difference.signed_ && difference.admitted && *difference.signed_ == *difference.admitted) continue;
    if (canonicalised_image(difference)) continue;
    if (std::any_of(ignored.begin(), ignored.end(), [&](const std::string& field) { return covers(field, path); })) {
      continue;
    }
    // A manifest may leave its namespace to `kubectl -n`.
    if (path == "metadata.namespace" && !difference.signed_) continue;
    out.push_back(std::move(difference));
  }
  return out;
}

std::string describe(const std::vector<Difference>& differences, std::size_t max_items) {
  std::string out;
  for (std::size_t i = 0; i < differences.size() && i < max_items; ++i) {
    const Difference& d = differences[i];
    if (!out.empty()) out += "; ";
    out += d.path + " (";
    if (d.signed_) out += "signed " + show(*d.signed_);
    if (d.signed_ && d.admitted) out += ", ";
    if (d.admitted) out += "admitted " + show(*d.admitted);
    if (!d.admitted) out += ", absent when admitted";
    if (!d.signed_) out += ", absent when signed";
    out += ")";
  }
  if (differences.size() > max_items) out += " and " + std::to_string(differences.size() - max_items) + " more";
  return out;
}

}  // namespace signet::policy::manifest
