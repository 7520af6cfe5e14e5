// Kyverno's text functions (pkg/engine/jmespath/functions.go): bytes compared as Go compares them, and
// "characters" as Go's UTF-8 code points.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/jmespath/kyverno_support.hpp"
#include "policy/jmespath/values.hpp"

namespace signet::policy::jmespath {
namespace {

// UTF-8 code points of a string, each as its bytes.
std::vector<std::string_view> code_point_views(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = 1;
    while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

Result<Value> fn_compare(CallContext&, Args args) {
  const int order = str(args[0]).compare(str(args[1]));
  return Value(order < 0 ? -1 : order > 0 ? 1 : 0);
}

std::string ascii_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string ascii_upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

Result<Value> fn_equal_fold(CallContext&, Args args) {
  return Value(ascii_lower(str(args[0])) == ascii_lower(str(args[1])));
}

Result<Value> fn_to_upper(CallContext&, Args args) { return Value(ascii_upper(str(args[0]))); }
Result<Value> fn_to_lower(CallContext&, Args args) { return Value(ascii_lower(str(args[0]))); }

// Go's strings.Replace: at most `limit` replacements (all when negative); an empty `old` matches before
// every code point and at the end.
Result<Value> replace_text(std::string_view function, const std::string& text, const std::string& old,
                           const std::string& with, std::int64_t limit) {
  std::string out;
  std::int64_t done = 0;
  if (old.empty()) {
    for (const auto point : code_point_views(text)) {
      if (limit < 0 || done < limit) {
        out += with;
        ++done;
      }
      out += point;
      if (out.size() > kMaxStringBytes) return too_long(function);
    }
    if (limit < 0 || done < limit) out += with;
    return Value(std::move(out));
  }
  std::size_t at = 0;
  while (limit < 0 || done < limit) {
    const std::size_t found = text.find(old, at);
    if (found == std::string::npos) break;
    out.append(text, at, found - at);
    out += with;
    if (out.size() > kMaxStringBytes) return too_long(function);
    at = found + old.size();
    ++done;
  }
  out.append(text, at);
  return Value(std::move(out));
}

Result<Value> fn_replace(CallContext&, Args args) {
  const double n = args[3].value.as_number();
  const std::int64_t limit = std::isfinite(n) && std::fabs(n) < 9e18 ? static_cast<std::int64_t>(n) : -1;
  return replace_text("replace", str(args[0]), str(args[1]), str(args[2]), limit);
}

Result<Value> fn_replace_all(CallContext&, Args args) {
  return replace_text("replace_all", str(args[0]), str(args[1]), str(args[2]), -1);
}

Result<Value> fn_trim(CallContext&, Args args) {
  const auto points = code_point_views(str(args[0]));
  const auto cut = code_point_views(str(args[1]));
  auto in_cut = [&](std::string_view point) { return std::find(cut.begin(), cut.end(), point) != cut.end(); };
  std::size_t begin = 0, end = points.size();
  while (begin < end && in_cut(points[begin])) ++begin;
  while (end > begin && in_cut(points[end - 1])) --end;
  std::string out;
  for (std::size_t i = begin; i < end; ++i) out += points[i];
  return Value(std::move(out));
}

Result<Value> fn_trim_prefix(CallContext&, Args args) {
  std::string_view text = str(args[0]);
  if (text.starts_with(str(args[1]))) text.remove_prefix(str(args[1]).size());
  return Value(text);
}

Result<Value> fn_split(CallContext& context, Args args) {
  const std::string& text = str(args[0]);
  const std::string& separator = str(args[1]);
  json::Array out;
  if (separator.empty()) {
    for (const auto point : code_point_views(text)) out.emplace_back(point);
  } else {
    std::size_t at = 0;
    while (true) {
      const std::size_t found = text.find(separator, at);
      out.emplace_back(std::string_view(text).substr(at, found == std::string::npos ? std::string::npos : found - at));
      if (found == std::string::npos) break;
      at = found + separator.size();
    }
  }
  if (auto ok = context.charge(out.size()); !ok) return ok.error();
  return Value(std::move(out));
}

Result<Value> fn_to_boolean(CallContext&, Args args) {
  const std::string lower = ascii_lower(str(args[0]));
  if (lower == "true") return Value(true);
  if (lower == "false") return Value(false);
  return invalid_value("to_boolean", "lowercase argument must be 'true' or 'false' (provided: '" + str(args[0]) + "')");
}

// Go's filepath.Clean (through filepath.Join of one element): "" stays "".
Result<Value> fn_path_canonicalize(CallContext&, Args args) {
  const std::string& path = str(args[0]);
  if (path.empty()) return Value("");
  const bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  while (at <= path.size()) {
    std::size_t end = path.find('/', at);
    if (end == std::string::npos) end = path.size();
    const std::string_view part = std::string_view(path).substr(at, end - at);
    if (part.empty() || part == ".") {
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    at = end + 1;
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += "/";
    out += parts[i];
  }
  return Value(out.empty() ? std::string(".") : out);
}

Result<Value> fn_truncate(CallContext&, Args args) {
  const double length = std::max(0.0, args[1].value.as_number());
  const auto points = code_point_views(str(args[0]));
  if (!(length < static_cast<double>(points.size()))) return args[0].value;
  std::string out;
  for (std::size_t i = 0; i < static_cast<std::size_t>(length); ++i) out += points[i];
  return Value(std::move(out));
}

}  // namespace

std::span<const Function> kyverno_string_functions() {
  static const std::vector<Function> kFunctions = {
      {"compare", {kString, kString}, false, fn_compare, "number", "compares two strings lexicographically"},
      {"equal_fold",
       {kString, kString},
       false,
       fn_equal_fold,
       "boolean",
       "allows comparing two strings for equivalency where the only differences are letter cases"},
      {"replace",
       {kString, kString, kString, kNumber},
       false,
       fn_replace,
       "string",
       "replaces a specified number of instances of the source string with the replacement string in a parent"},
      {"replace_all",
       {kString, kString, kString},
       false,
       fn_replace_all,
       "string",
       "replace all instances of one string with another in an overall parent string"},
      {"to_upper",
       {kString},
       false,
       fn_to_upper,
       "string",
       "takes in a string and outputs the same string with all upper-case letters"},
      {"to_lower",
       {kString},
       false,
       fn_to_lower,
       "string",
       "takes in a string and outputs the same string with all lower-case letters"},
      {"trim",
       {kString, kString},
       false,
       fn_trim,
       "string",
       "trims both ends of the source string by characters appearing in the second string"},
      {"trim_prefix",
       {kString, kString},
       false,
       fn_trim_prefix,
       "string",
       "trims the second string prefix from the first string if the first string starts with the prefix"},
      {"split",
       {kString, kString},
       false,
       fn_split,
       "array[string]",
       "splits the first string when the second string is found and converts it into an array"},
      {"to_boolean",
       {kString},
       false,
       fn_to_boolean,
       "boolean",
       "It returns true or false for any string, such as 'True', 'TruE', 'False', 'FAlse', 'faLSE', etc."},
      {"path_canonicalize",
       {kString},
       false,
       fn_path_canonicalize,
       "string",
       "normalizes or canonicalizes a given path by removing excess slashes"},
      {"truncate",
       {kString, kNumber},
       false,
       fn_truncate,
       "string",
       "length argument must be enclosed in backticks; ex. \"{{request.object.metadata.name | truncate(@, `9`)}}\""},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
