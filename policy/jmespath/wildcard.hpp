// Kyverno's wildcard patterns: `*` matches any run of characters (also none, also `/`), `?` exactly
// one character; everything else matches itself, case-sensitively. Used for names, namespaces, kinds,
// label selectors, subjects and imageReferences alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace signet::policy {

bool wildcard_match(std::string_view pattern, std::string_view text);

// True when `text` matches any of `patterns`.
bool wildcard_match_any(const std::vector<std::string>& patterns, std::string_view text);

bool has_wildcard(std::string_view pattern);

}  // namespace signet::policy
