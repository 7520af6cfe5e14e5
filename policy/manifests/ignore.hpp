// Which fields of an object are left out when it is compared with its signed manifest: those that
// Kubernetes and its controllers fill in (k8s-manifest-sigstore's default config and Kyverno's own), the
// signature annotations themselves, and the policy's ignoreFields for the objects they select.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/jmespath/json_value.hpp"
#include "policy/model.hpp"

namespace signet::policy::manifest {

// group, version, kind, name and namespace of an object, read from its apiVersion, kind and metadata.
ObjectReference reference_of(const json::Value& object);

// k8s-manifest-sigstore's MatchPattern: "" and "*" match anything, "-" matches "", "prefix*" a prefix,
// "a,b" either, otherwise the exact value.
bool matches_pattern(std::string_view pattern, std::string_view value);
bool selects(const ObjectReference& selector, const ObjectReference& object);

// The annotation keys of a domain: "<domain>/message", "<domain>/signature", "<domain>/signature_1", …
std::string annotation_key(std::string_view domain, std::string_view base, int index = 0);

// Every field ignored for `object` under `rule`.
std::vector<std::string> ignored_fields(const ObjectReference& object, const ManifestValidation& rule);

}  // namespace signet::policy::manifest
