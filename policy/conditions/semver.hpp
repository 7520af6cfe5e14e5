// Semantic versions as Kyverno's GreaterThan/LessThan operators read them (blang/semver v4): strict
// MAJOR.MINOR.PATCH[-prerelease][+build], no "v" prefix, no leading zeros, build metadata ignored when
// comparing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signet::policy {

class SemanticVersion {
 public:
  static std::optional<SemanticVersion> parse(std::string_view text);

  // -1, 0 or 1 by semver precedence: a pre-release is lower than its release; numeric pre-release
  // identifiers are lower than alphanumeric ones.
  int compare(const SemanticVersion& other) const;

 private:
  struct Identifier {
    bool numeric;
    std::uint64_t number;
    std::string text;
  };
  std::uint64_t major_ = 0, minor_ = 0, patch_ = 0;
  std::vector<Identifier> prerelease_;
};

}  // namespace signet::policy
