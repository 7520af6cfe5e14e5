#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {

namespace {

// Length of the UTF-8 sequence starting at `c`, so `?` consumes one character rather than one byte.
std::size_t utf8_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view text) {
  // Greedy matching with one backtrack point (the last `*`): linear in practice, no recursion, so a
  // hostile pattern cannot blow the stack.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      t += utf8_length(static_cast<unsigned char>(text[t]));
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      star_text += utf8_length(static_cast<unsigned char>(text[star_text]));
      t = star_text;
    } else {
      return false;
    }
  }
  if (t > text.size()) return false;  // a `?` ran past a truncated UTF-8 sequence
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool wildcard_match_any(const std::vector<std::string>& patterns, std::string_view text) {
  for (const auto& pattern : patterns) {
    if (wildcard_match(pattern, text)) return true;
  }
  return false;
}

bool has_wildcard(std::string_view pattern) { return pattern.find_first_of("*?") != std::string_view::npos; }

}  // namespace signet::policy
