// Kyverno's pattern functions (pkg/engine/jmespath/functions.go): regular expressions on RE2 with Go's
// regexp semantics for replacement, wildcards, and label selectors.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "policy/jmespath/kyverno_support.hpp"
#include "policy/jmespath/values.hpp"
#include "policy/jmespath/wildcard.hpp"

namespace signet::policy::jmespath {
namespace {

std::string string_or_number(const Argument& arg) {
  return arg.value.is_string() ? arg.value.as_string() : number_text(arg.value.as_number());
}

Result<std::unique_ptr<RE2>> compile_regex(std::string_view function, const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) return invalid_value(function, "invalid regular expression \"" + pattern + "\": " + re->error());
  return re;
}

// Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; an unknown group expands to nothing.
void expand_template(const RE2& re, std::string_view repl, const std::vector<re2::StringPiece>& groups,
                     std::string& out) {
  const auto& names = re.NamedCapturingGroups();
  for (std::size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '$' || i + 1 >= repl.size()) {
      out += repl[i];
      continue;
    }
    if (repl[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    std::size_t next = i + 1;
    const bool braced = repl[next] == '{';
    if (braced) ++next;
    while (next < repl.size() && (std::isalnum(static_cast<unsigned char>(repl[next])) || repl[next] == '_')) {
      name += repl[next++];
    }
    if (name.empty() || (braced && (next >= repl.size() || repl[next] != '}'))) {
      out += '$';  // malformed: Go copies the '$' and goes on
      continue;
    }
    if (braced) ++next;
    i = next - 1;
    int index = -1;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (name.size() < 9) index = std::stoi(name);
    } else if (auto found = names.find(name); found != names.end()) {
      index = found->second;
    }
    if (index >= 0 && static_cast<std::size_t>(index) < groups.size() && groups[index].data() != nullptr) {
      out.append(groups[index].data(), groups[index].size());
    }
  }
}

// Go's Regexp.ReplaceAll / ReplaceAllLiteral, including its rule for empty matches.
Result<Value> regex_replace(CallContext& context, std::string_view function, Args args, bool literal) {
  auto re = compile_regex(function, str(args[0]));
  if (!re) return re.error();
  const std::string text = string_or_number(args[1]);
  const std::string repl = string_or_number(args[2]);
  std::vector<re2::StringPiece> groups(static_cast<std::size_t>((*re)->NumberOfCapturingGroups()) + 1);
  std::string out;
  std::size_t search = 0, last_end = 0;
  bool matched_before = false;
  while (search <= text.size()) {
    if (auto ok = context.charge(1); !ok) return ok.error();
    if (!(*re)->Match(text, search, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size())))
      break;
    const std::size_t start = static_cast<std::size_t>(groups[0].data() - text.data());
    const std::size_t end = start + groups[0].size();
    out.append(text, last_end, start - last_end);
    if (end > last_end || start == 0 || !matched_before) {
      if (literal) {
        out += repl;
      } else {
        expand_template(**re, repl, groups, out);
      }
    }
    if (out.size() > kMaxStringBytes) return too_long(function);
    last_end = end;
    matched_before = true;
    std::size_t width = 1;
    while (search + width < text.size() && (static_cast<unsigned char>(text[search + width]) & 0xC0) == 0x80) ++width;
    if (search + width > end) {
      search += width;
    } else if (search + 1 > end) {
      ++search;
    } else {
      search = end;
    }
  }
  out.append(text, last_end);
  return Value(std::move(out));
}

Result<Value> fn_regex_replace_all(CallContext& context, Args args) {
  return regex_replace(context, "regex_replace_all", args, false);
}

Result<Value> fn_regex_replace_all_literal(CallContext& context, Args args) {
  return regex_replace(context, "regex_replace_all_literal", args, true);
}

Result<Value> fn_regex_match(CallContext&, Args args) {
  auto re = compile_regex("regex_match", str(args[0]));
  if (!re) return re.error();
  return Value(RE2::PartialMatch(string_or_number(args[1]), **re));
}

Result<Value> fn_pattern_match(CallContext&, Args args) {
  return Value(wildcard_match(str(args[0]), string_or_number(args[1])));
}

Result<Value> fn_label_match(CallContext& context, Args args) {
  for (const auto& [key, value] : args[0].value.as_object()) {
    const Value* other = args[1].value.find(key);
    if (other == nullptr) return Value(false);
    auto same = equal(context, value, *other);
    if (!same) return same.error();
    if (!*same) return Value(false);
  }
  return Value(true);
}

}  // namespace

std::span<const Function> kyverno_regex_functions() {
  static const std::vector<Function> kFunctions = {
      {"regex_replace_all",
       {kString, kString | kNumber, kString | kNumber},
       false,
       fn_regex_replace_all,
       "string",
       "converts all parameters to string"},
      {"regex_replace_all_literal",
       {kString, kString | kNumber, kString | kNumber},
       false,
       fn_regex_replace_all_literal,
       "string",
       "converts all parameters to string"},
      {"regex_match",
       {kString, kString | kNumber},
       false,
       fn_regex_match,
       "boolean",
       "first string is the regular exression which is compared with second input which can be a number or string"},
      {"pattern_match",
       {kString, kString | kNumber},
       false,
       fn_pattern_match,
       "boolean",
       "'*' matches zero or more alphanumeric characters, '?' matches a single alphanumeric character"},
      {"label_match",
       {kObject, kObject},
       false,
       fn_label_match,
       "boolean",
       "object arguments must be enclosed in backticks; ex. `{{request.object.spec.template.metadata.labels}}`"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
