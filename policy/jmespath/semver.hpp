// Semantic versions and ranges as github.com/blang/semver/v4 (what Kyverno's semver_compare uses)
// parses them: strict "MAJOR.MINOR.PATCH[-pre][+build]", and ranges such as ">1.0.0 <2.0.0 || 3.x".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace signet::policy::jmespath {

struct SemVersion {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;  // prerelease identifiers
};

Result<SemVersion> parse_semver(std::string_view text);
int compare_semver(const SemVersion& a, const SemVersion& b);  // -1, 0, 1

// Whether `version` satisfies `range`; an error names what in the range could not be parsed.
Result<bool> semver_satisfies(const SemVersion& version, std::string_view range);

}  // namespace signet::policy::jmespath
