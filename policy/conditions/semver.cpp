#include "policy/conditions/semver.hpp"

#include <algorithm>
#include <charconv>

namespace signet::policy {

namespace {

bool only_digits(std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; }

bool only_alphanumerics(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool leading_zero(std::string_view s) { return s.size() > 1 && s[0] == '0'; }

std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty() || !only_digits(s) || leading_zero(s)) return std::nullopt;
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto dot = s.find('.');
    out.push_back(s.substr(0, dot));
    if (dot == std::string_view::npos) return out;
    s.remove_prefix(dot + 1);
  }
}

}  // namespace

std::optional<SemanticVersion> SemanticVersion::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto first = text.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;

  SemanticVersion v;
  const auto major = number(text.substr(0, first));
  const auto minor = number(text.substr(first + 1, second - first - 1));
  if (!major || !minor) return std::nullopt;
  std::string_view patch = text.substr(second + 1);
  std::string_view build, prerelease;
  bool has_build = false, has_prerelease = false;
  if (const auto plus = patch.find('+'); plus != std::string_view::npos) {
    build = patch.substr(plus + 1);
    patch = patch.substr(0, plus);
    has_build = true;
  }
  if (const auto dash = patch.find('-'); dash != std::string_view::npos) {
    prerelease = patch.substr(dash + 1);
    patch = patch.substr(0, dash);
    has_prerelease = true;
  }
  const auto patch_number = number(patch);
  if (!patch_number) return std::nullopt;
  v.major_ = *major;
  v.minor_ = *minor;
  v.patch_ = *patch_number;

  if (has_prerelease) {
    for (std::string_view id : split_dots(prerelease)) {
      if (id.empty()) return std::nullopt;
      if (only_digits(id)) {
        const auto n = number(id);
        if (!n) return std::nullopt;  // leading zero or too large
        v.prerelease_.push_back({true, *n, {}});
      } else if (only_alphanumerics(id)) {
        v.prerelease_.push_back({false, 0, std::string(id)});
      } else {
        return std::nullopt;
      }
    }
  }
  if (has_build) {
    for (std::string_view id : split_dots(build)) {
      if (id.empty() || !only_alphanumerics(id)) return std::nullopt;
    }
  }
  return v;
}

int SemanticVersion::compare(const SemanticVersion& other) const {
  auto order = [](auto a, auto b) { return a < b ? -1 : (a > b ? 1 : 0); };
  if (int c = order(major_, other.major_)) return c;
  if (int c = order(minor_, other.minor_)) return c;
  if (int c = order(patch_, other.patch_)) return c;
  // A release ranks above its pre-releases.
  if (prerelease_.empty() || other.prerelease_.empty()) return order(prerelease_.empty(), other.prerelease_.empty());
  const std::size_t n = std::min(prerelease_.size(), other.prerelease_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Identifier& a = prerelease_[i];
    const Identifier& b = other.prerelease_[i];
    int c = 0;
    if (a.numeric != b.numeric) {
      c = a.numeric ? -1 : 1;
    } else if (a.numeric) {
      c = order(a.number, b.number);
    } else {
      c = order(a.text.compare(b.text), 0);
    }
    if (c != 0) return c;
  }
  return order(prerelease_.size(), other.prerelease_.size());
}

}  // namespace signet::policy
