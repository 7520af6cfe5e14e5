#include "policy/decision.hpp"

#include <algorithm>
#include <set>

namespace signet::policy {

const char* to_string(RuleStatus status) {
  switch (status) {
    case RuleStatus::Pass:
      return "pass";
    case RuleStatus::Fail:
      return "fail";
    case RuleStatus::Error:
      return "error";
    case RuleStatus::Skip:
      return "skip";
  }
  return "error";
}

namespace {

bool is_failure(const RuleResult& result) {
  return result.status == RuleStatus::Fail || result.status == RuleStatus::Error;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t count_utf8(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

bool is_alphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string warning_line(const RuleResult& result) {
  return truncate_utf8(result.policy + "/" + result.rule + ": " + result.image + ": " + result.message,
                       kMaxWarningLength);
}

}  // namespace

std::string truncate_utf8(std::string_view text, std::size_t max_chars) {
  if (count_utf8(text) <= max_chars) return std::string(text);
  if (max_chars == 0) return {};
  // Keep max_chars - 1 characters, then the ellipsis.
  std::size_t kept = 0, end = 0;
  while (end < text.size()) {
    if (!is_continuation_byte(text[end])) {
      if (kept == max_chars - 1) break;
      ++kept;
    }
    ++end;
  }
  return std::string(text.substr(0, end)) + "…";
}

std::string denial_line(const RuleResult& result) {
  return (result.manifest ? "resource " : "image ") + result.image + " denied by policy " + result.policy + " rule " +
         result.rule + ": " + result.message;
}

std::string audit_annotation_key(std::string_view policy, std::string_view rule) {
  std::string key = std::string(policy) + "." + std::string(rule);
  for (char& c : key) {
    if (!is_alphanumeric(c) && c != '-' && c != '_' && c != '.') c = '.';
  }
  if (key.size() > 63) key.resize(63);
  while (!key.empty() && !is_alphanumeric(key.back())) key.pop_back();
  std::size_t first = 0;
  while (first < key.size() && !is_alphanumeric(key[first])) ++first;
  key.erase(0, first);
  return key.empty() ? "signet" : key;
}

Decision decide(std::vector<RuleResult> results, std::vector<PinCandidate> pins, Mode mode) {
  Decision decision;
  std::vector<std::string> denials;
  std::set<std::string> failed_images;
  for (const auto& result : results) {
    if (!is_failure(result)) continue;
    failed_images.insert(result.image);
    auto& annotation = decision.audit_annotations[audit_annotation_key(result.policy, result.rule)];
    annotation += (annotation.empty() ? "" : "; ") + result.image + ": " + result.message;
    if (result.enforce) {
      denials.push_back(denial_line(result));
    } else {
      decision.warnings.push_back(warning_line(result));
    }
  }
  if (!denials.empty()) {
    decision.allowed = false;
    for (const auto& line : denials) decision.message += (decision.message.empty() ? "" : "; ") + line;
  }
  if (mode == Mode::Mutate && decision.allowed) {
    std::set<std::string> paths;
    for (auto& pin : pins) {
      // An image that failed any rule (under Audit) stays as written; one path is patched once.
      if (failed_images.contains(pin.image) || !paths.insert(pin.operation.path).second) continue;
      decision.patch.push_back(std::move(pin.operation));
    }
  }
  decision.results = std::move(results);
  return decision;
}

}  // namespace signet::policy
