// Combines the (image, rule) results of one request into the admission decision: Enforce failures deny,
// Audit failures allow with a warning and an audit annotation, digest pins only for images that passed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/engine.hpp"

namespace signet::policy {

// A digest pin proposed for one image use; kept only when no rule failed that image.
struct PinCandidate {
  std::string image;  // as written, to find the image's results
  PatchOperation operation;
};

inline constexpr std::size_t kMaxWarningLength = 120;  // characters, not bytes

Decision decide(std::vector<RuleResult> results, std::vector<PinCandidate> pins, Mode mode);

// "image 127.0.0.1:5000/app:v1 denied by policy check-signatures rule verify-cosign: no signatures found"
std::string denial_line(const RuleResult& result);

// `text` cut to at most `max_chars` UTF-8 characters, ending in "…" when cut.
std::string truncate_utf8(std::string_view text, std::size_t max_chars);

// An audit-annotation key Kubernetes accepts (it prefixes the webhook's name): "<policy>.<rule>" with
// characters outside [-A-Za-z0-9_.] replaced by '.', at most 63 characters, alphanumeric at both ends.
std::string audit_annotation_key(std::string_view policy, std::string_view rule);

}  // namespace signet::policy
