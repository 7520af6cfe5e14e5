#include "policy/jmespath/semver.hpp"

#include <algorithm>
#include <charconv>

namespace signet::policy::jmespath {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool identifier_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Error bad_version(std::string_view text, std::string_view why) {
  return Error::invalid("invalid-value: semver \"" + std::string(text) + "\": " + std::string(why));
}

enum class Op { Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual };

struct Comparison {
  Op op;
  SemVersion version;
};

bool holds(const Comparison& c, const SemVersion& v) {
  const int order = compare_semver(v, c.version);
  switch (c.op) {
    case Op::Equal:
      return order == 0;
    case Op::NotEqual:
      return order != 0;
    case Op::Greater:
      return order > 0;
    case Op::GreaterEqual:
      return order >= 0;
    case Op::Less:
      return order < 0;
    case Op::LessEqual:
      return order <= 0;
  }
  return false;
}

// Splits on spaces, except a space right after an operator, which joins it to its version (">= 1.0.0").
std::vector<std::string> split_terms(std::string_view range) {
  std::vector<std::string> out;
  std::string term;
  char last = 0;
  for (const char c : range) {
    if (c == ' ') {
      if (last != '>' && last != '<' && last != '=') {
        if (!term.empty()) out.push_back(term);
        term.clear();
        last = 0;
      }
      continue;
    }
    term += c;
    last = c;
  }
  if (!term.empty()) out.push_back(term);
  return out;
}

// "1.2.x" / "1.x" / "1.x.x" as the comparisons blang/semver expands them into.
Result<std::vector<std::string>> expand_wildcard(const std::string& op, const std::string& version) {
  const auto parts = split(version, '.');
  const bool minor_wildcard = parts.size() >= 2 && parts[1] == "x";
  const bool patch_wildcard = !minor_wildcard && parts.size() == 3 && parts[2] == "x";
  if (!minor_wildcard && !patch_wildcard) return std::vector<std::string>{op + version};
  std::uint64_t major = 0, minor = 0;
  std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), major);
  if (patch_wildcard) std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), minor);
  const std::string low = std::to_string(major) + "." + std::to_string(minor) + ".0";
  const std::string high = minor_wildcard ? std::to_string(major + 1) + ".0.0"
                                          : std::to_string(major) + "." + std::to_string(minor + 1) + ".0";
  if (op == ">") return std::vector<std::string>{">=" + high};
  if (op == ">=") return std::vector<std::string>{">=" + low};
  if (op == "<") return std::vector<std::string>{"<" + low};
  if (op == "<=") return std::vector<std::string>{"<" + high};
  if (op.empty() || op == "=" || op == "==") return std::vector<std::string>{">=" + low, "<" + high};
  if (op == "!=" || op == "!") return std::vector<std::string>{"<" + low, ">=" + high};
  return std::vector<std::string>{op + version};
}

Result<Comparison> parse_comparison(const std::string& term) {
  const std::size_t digit = term.find_first_of("0123456789");
  if (digit == std::string::npos) {
    return Error::invalid("invalid-value: semver range: no version in \"" + term + "\"");
  }
  const std::string op = term.substr(0, digit);
  Comparison out{Op::Equal, {}};
  if (op.empty() || op == "=" || op == "==") {
    out.op = Op::Equal;
  } else if (op == "!" || op == "!=") {
    out.op = Op::NotEqual;
  } else if (op == ">") {
    out.op = Op::Greater;
  } else if (op == ">=") {
    out.op = Op::GreaterEqual;
  } else if (op == "<") {
    out.op = Op::Less;
  } else if (op == "<=") {
    out.op = Op::LessEqual;
  } else {
    return Error::invalid("invalid-value: semver range: unknown comparator \"" + op + "\" in \"" + term + "\"");
  }
  auto version = parse_semver(std::string_view(term).substr(digit));
  if (!version) return version.error();
  out.version = std::move(*version);
  return out;
}

}  // namespace

Result<SemVersion> parse_semver(std::string_view text) {
  if (text.empty()) return bad_version(text, "empty version");
  std::string_view rest = text;
  const std::size_t plus = rest.find('+');
  if (plus != std::string_view::npos) {
    for (const auto& build : split(rest.substr(plus + 1), '.')) {
      if (!identifier_chars(build)) return bad_version(text, "invalid build metadata");
    }
    rest = rest.substr(0, plus);
  }
  std::string_view pre;
  const std::size_t dash = rest.find('-');
  if (dash != std::string_view::npos) {
    pre = rest.substr(dash + 1);
    rest = rest.substr(0, dash);
  }
  const auto numbers = split(rest, '.');
  if (numbers.size() != 3) return bad_version(text, "not MAJOR.MINOR.PATCH");
  SemVersion out;
  std::uint64_t* fields[] = {&out.major, &out.minor, &out.patch};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto part = numbers[i];
    if (!all_digits(part)) return bad_version(text, "version numbers must be digits");
    if (part.size() > 1 && part[0] == '0') return bad_version(text, "version numbers must not have leading zeros");
    if (std::from_chars(part.data(), part.data() + part.size(), *fields[i]).ec != std::errc())
      return bad_version(text, "version number out of range");
  }
  if (dash != std::string_view::npos) {
    for (const auto& id : split(pre, '.')) {
      if (!identifier_chars(id)) return bad_version(text, "invalid prerelease identifier");
      if (all_digits(id) && id.size() > 1 && id[0] == '0')
        return bad_version(text, "numeric prerelease identifiers must not have leading zeros");
      out.pre.emplace_back(id);
    }
  }
  return out;
}

int compare_semver(const SemVersion& a, const SemVersion& b) {
  auto three = [](std::uint64_t x, std::uint64_t y) { return x < y ? -1 : x > y ? 1 : 0; };
  if (int c = three(a.major, b.major)) return c;
  if (int c = three(a.minor, b.minor)) return c;
  if (int c = three(a.patch, b.patch)) return c;
  // A release is greater than any of its prereleases.
  if (a.pre.empty() || b.pre.empty()) return a.pre.empty() == b.pre.empty() ? 0 : a.pre.empty() ? 1 : -1;
  for (std::size_t i = 0; i < std::min(a.pre.size(), b.pre.size()); ++i) {
    const bool an = all_digits(a.pre[i]), bn = all_digits(b.pre[i]);
    if (an && bn) {
      if (a.pre[i].size() != b.pre[i].size()) return a.pre[i].size() < b.pre[i].size() ? -1 : 1;
    } else if (an != bn) {
      return an ? -1 : 1;  // numeric identifiers sort first
    }
    if (a.pre[i] != b.pre[i]) return a.pre[i] < b.pre[i] ? -1 : 1;
  }
  return three(a.pre.size(), b.pre.size());
}

Result<bool> semver_satisfies(const SemVersion& version, std::string_view range) {
  const auto terms = split_terms(range);
  std::vector<std::vector<std::string>> alternatives(1);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (terms[i] == "||") {
      if (i == 0) return Error::invalid("invalid-value: semver range: first element in range is '||'");
      alternatives.emplace_back();
      continue;
    }
    alternatives.back().push_back(terms[i]);
  }
  if (alternatives.back().empty()) {
    return Error::invalid("invalid-value: semver range: last element in range is '||'");
  }
  bool any = false;
  for (const auto& terms_and : alternatives) {
    bool all = true;
    for (const auto& term : terms_and) {
      const std::size_t digit = term.find_first_of("0123456789");
      if (digit == std::string::npos) {
        return Error::invalid("invalid-value: semver range: no version in \"" + term + "\"");
      }
      auto expanded = term.find(".x") != std::string::npos ? expand_wildcard(term.substr(0, digit), term.substr(digit))
                                                           : Result<std::vector<std::string>>({term});
      if (!expanded) return expanded.error();
      for (const auto& one : *expanded) {
        auto comparison = parse_comparison(one);
        if (!comparison) return comparison.error();
        if (!holds(*comparison, version)) all = false;
      }
    }
    if (all) any = true;
  }
  return any;
}

}  // namespace signet::policy::jmespath
