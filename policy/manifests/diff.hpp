// The comparison of an admitted object with a signed manifest, as k8s-manifest-sigstore makes it: both
// flattened to dotted leaf paths ("spec.ports.0.port"), every path whose value differs, appears or
// disappears is a difference, and differences under ignored fields do not count.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/jmespath/json_value.hpp"

namespace signet::policy::manifest {

struct Difference {
  std::string path;                     // "spec.selector.app"
  std::optional<json::Value> signed_;   // absent: only the admitted object has it
  std::optional<json::Value> admitted;  // absent: only the signed manifest has it
};

// Leaf values by dotted path; empty objects, empty lists and nulls have no leaves.
std::map<std::string, json::Value> flatten(const json::Value& value);

// The differences between a signed document and the admitted object, sorted by path, without those
// `ignored` covers and without the image canonicalisations a registry-aware webhook makes ("nginx" →
// "docker.io/nginx", "ubuntu" → "ubuntu:latest").
std::vector<Difference> differences(const json::Value& signed_document, const json::Value& admitted,
                                    const std::vector<std::string>& ignored);

// Whether an ignoreFields path covers a flattened path. As k8s-manifest-sigstore reads them, a field
// covers every path that contains it, '*' standing for any run of characters: "status" covers
// "status.phase", "spec.containers.*.imagePullPolicy" covers
// "spec.template.spec.containers.0.imagePullPolicy".
bool covers(std::string_view field, std::string_view path);

// "spec.selector.app (signed \"MyApp\", admitted \"NotMyApp\"); spec.replicas (admitted 3)", at most
// `max_items` paths then "and N more".
std::string describe(const std::vector<Difference>& differences, std::size_t max_items = 8);

}  // namespace signet::policy::manifest
