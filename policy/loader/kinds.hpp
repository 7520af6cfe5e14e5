// What signet does with a YAML document, by its apiVersion and kind. Never fail open: a document that
// could carry image verification is either read and enforced, or refused; only kinds that cannot verify
// images are skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/model.hpp"

namespace signet::policy::loader {

enum class DocumentRole {
  Read,          // a policy signet enforces
  NotEnforced,   // can verify images, but signet does not enforce it yet: refused
  WrongVersion,  // a kind signet reads, under an apiVersion it does not: refused
  Unknown,       // signet cannot tell whether it verifies images: refused
  Skipped,       // cannot verify images (a ConfigMap, a Kyverno PolicyException, a Kustomization)
};

struct DocumentKind {
  DocumentRole role = DocumentRole::Unknown;
  PolicyKind policy_kind = PolicyKind::ClusterPolicy;  // for Read
  bool v1 = false;                                     // for Read: kyverno.io/v1 (or signet.dev) semantics
};

DocumentKind classify_document(std::string_view api_version, std::string_view kind);

// Why a document of that role is refused, naming `what` ("policies.kyverno.io/v1 ImageValidatingPolicy
// check-images") and what signet reads instead; empty for Read and Skipped.
std::string refusal_reason(DocumentRole role, const std::string& what, std::string_view api_version,
                           std::string_view kind);

}  // namespace signet::policy::loader
