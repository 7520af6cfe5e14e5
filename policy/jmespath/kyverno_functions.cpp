// Kyverno's custom functions (kyverno/kyverno pkg/engine/jmespath/functions.go and arithmetic.go); the
// time functions are in jmespath_kyverno_time.cpp.
#include "policy/jmespath/kyverno_functions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>

#include <openssl/evp.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "crypto/encoding.hpp"
#include "policy/jmespath/go_time.hpp"
#include "policy/jmespath/semver.hpp"
#include "policy/jmespath/values.hpp"
#include "policy/jmespath/wildcard.hpp"

namespace signet::policy::jmespath {
namespace {

using json::Value;
using Args = std::span<const Argument>;

const std::string& str(const Argument& arg) { return arg.value.as_string(); }

// Go's strconv.FormatFloat(f, 'f', -1, 32), how Kyverno turns a number argument into text.
std::string number_text(double number) {
  char buffer[128];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, static_cast<float>(number), std::chars_format::fixed);
  if (ec != std::errc()) return json::to_json(Value(number));
  return std::string(buffer, end);
}

std::string string_or_number(const Argument& arg) {
  return arg.value.is_string() ? arg.value.as_string() : number_text(arg.value.as_number());
}

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

Result<Value> too_long(std::string_view function) { return invalid_value(function, "the result is too long"); }

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

Result<Value> fn_to_boolean(CallContext&, Args args) {
  const std::string lower = ascii_lower(str(args[0]));
  if (lower == "true") return Value(true);
  if (lower == "false") return Value(false);
  return invalid_value("to_boolean", "lowercase argument must be 'true' or 'false' (provided: '" + str(args[0]) + "')");
}

// Kyverno's arithmetic operands: numbers, and strings holding a Go duration. Kubernetes quantities
// ("1Gi") are not supported yet and say so.
struct Operand {
  enum class Kind { Scalar, Duration } kind;
  double scalar = 0;
  std::int64_t nanos = 0;
};

bool looks_like_quantity(std::string_view text) {
  static const RE2 kQuantity(R"(^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$)");
  return RE2::FullMatch(text, kQuantity);
}

Result<Operand> operand(std::string_view function, const Argument& arg) {
  if (arg.value.is_number()) return Operand{Operand::Kind::Scalar, arg.value.as_number(), 0};
  if (arg.value.is_string()) {
    const std::string& text = arg.value.as_string();
    if (looks_like_quantity(text)) {
      return invalid_value(function, "Kubernetes quantities such as \"" + text + "\" are not supported by signet");
    }
    if (auto d = parse_go_duration(text)) return Operand{Operand::Kind::Duration, 0, *d};
  }
  return invalid_type(function,
                      "invalid operand " + json::to_json(arg.value) + " (a number or a duration such as \"1h30m\")");
}

Error mismatch(std::string_view function) { return invalid_type(function, "types mismatch"); }

Value duration_value(double nanos) {
  if (!std::isfinite(nanos) || std::fabs(nanos) >= 9.2e18) {
    return Value(format_go_duration(nanos < 0 ? std::numeric_limits<std::int64_t>::min()
                                              : std::numeric_limits<std::int64_t>::max()));
  }
  return Value(format_go_duration(static_cast<std::int64_t>(nanos)));
}

Result<Value> add(std::string_view function, const Argument& a, const Argument& b) {
  auto x = operand(function, a);
  if (!x) return x.error();
  auto y = operand(function, b);
  if (!y) return y.error();
  if (x->kind != y->kind) return mismatch(function);
  if (x->kind == Operand::Kind::Scalar) return Value(x->scalar + y->scalar);
  return duration_value(static_cast<double>(x->nanos) + static_cast<double>(y->nanos));
}

Result<Value> fn_add(CallContext&, Args args) { return add("add", args[0], args[1]); }

// Kyverno replaces the standard sum with its own over numbers and durations; an empty array sums to 0
// as the specification says (Kyverno calls it an error).
Result<Value> fn_sum(CallContext&, Args args) {
  const auto& items = args[0].value.as_array();
  if (std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_number(); })) {
    double total = 0;
    for (const auto& item : items) total += item.as_number();
    return Value(total);
  }
  if (!std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_string(); })) {
    return invalid_type("sum", "argument 1 must be an array of numbers or an array of durations");
  }
  Argument total{items[0], nullptr};
  for (std::size_t i = 1; i < items.size(); ++i) {
    auto next = add("sum", total, Argument{items[i], nullptr});
    if (!next) return next;
    total.value = std::move(*next);
  }
  if (items.size() == 1) {
    if (auto ok = operand("sum", total); !ok) return ok.error();
  }
  return total.value;
}

Result<Value> fn_subtract(CallContext&, Args args) {
  auto x = operand("subtract", args[0]);
  if (!x) return x.error();
  auto y = operand("subtract", args[1]);
  if (!y) return y.error();
  if (x->kind != y->kind) return mismatch("subtract");
  if (x->kind == Operand::Kind::Scalar) return Value(x->scalar - y->scalar);
  return duration_value(static_cast<double>(x->nanos) - static_cast<double>(y->nanos));
}

Result<Value> fn_multiply(CallContext&, Args args) {
  auto x = operand("multiply", args[0]);
  if (!x) return x.error();
  auto y = operand("multiply", args[1]);
  if (!y) return y.error();
  if (x->kind == Operand::Kind::Scalar && y->kind == Operand::Kind::Scalar) return Value(x->scalar * y->scalar);
  if (x->kind == Operand::Kind::Duration && y->kind == Operand::Kind::Duration) return mismatch("multiply");
  const Operand& d = x->kind == Operand::Kind::Duration ? *x : *y;
  const Operand& s = x->kind == Operand::Kind::Duration ? *y : *x;
  return duration_value(static_cast<double>(d.nanos) * s.scalar);
}

Result<Value> fn_divide(CallContext&, Args args) {
  auto x = operand("divide", args[0]);
  if (!x) return x.error();
  auto y = operand("divide", args[1]);
  if (!y) return y.error();
  if (x->kind == Operand::Kind::Scalar) {
    if (y->kind != Operand::Kind::Scalar) return mismatch("divide");
    if (y->scalar == 0) return invalid_value("divide", "Zero divisor passed");
    return Value(x->scalar / y->scalar);
  }
  if (y->kind == Operand::Kind::Duration) {
    if (y->nanos == 0) return invalid_value("divide", "Zero divisor passed");
    return Value(static_cast<double>(x->nanos) / static_cast<double>(y->nanos));
  }
  if (y->scalar == 0) return invalid_value("divide", "Zero divisor passed");
  return duration_value(static_cast<double>(x->nanos) / y->scalar);
}

Result<Value> fn_modulo(CallContext&, Args args) {
  auto x = operand("modulo", args[0]);
  if (!x) return x.error();
  auto y = operand("modulo", args[1]);
  if (!y) return y.error();
  if (x->kind != y->kind) return mismatch("modulo");
  if (x->kind == Operand::Kind::Duration) {
    if (y->nanos == 0) return invalid_value("modulo", "Zero divisor passed");
    return Value(format_go_duration(x->nanos % y->nanos));
  }
  auto integral = [](double v) { return std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9e18; };
  if (!integral(x->scalar) || !integral(y->scalar)) {
    return invalid_value("modulo", "Non-integer argument(s) passed for modulo");
  }
  const auto a = static_cast<std::int64_t>(x->scalar), b = static_cast<std::int64_t>(y->scalar);
  if (b == 0) return invalid_value("modulo", "Zero divisor passed");
  if (b == -1) return Value(0);
  return Value(static_cast<double>(a % b));
}

Result<Value> fn_round(CallContext&, Args args) {
  const double digits = args[1].value.as_number();
  if (!std::isfinite(digits) || digits != std::trunc(digits)) {
    return invalid_value("round", "Non-integer argument(s) passed for round off");
  }
  if (digits < 0) return invalid_value("round", "the number of decimal places cannot be negative");
  const double shift = std::pow(10.0, std::min(digits, 308.0));
  return Value(std::round(args[0].value.as_number() * shift) / shift);
}

Result<Value> fn_base64_decode(CallContext&, Args args) {
  auto decoded = crypto::base64_decode(str(args[0]));
  if (!decoded) return invalid_value("base64_decode", decoded.error().message);
  return Value(std::move(*decoded));
}

Result<Value> fn_base64_encode(CallContext&, Args args) { return Value(crypto::base64_encode(str(args[0]))); }

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

Result<Value> fn_semver_compare(CallContext&, Args args) {
  // As Kyverno: a version that does not parse counts as 0.0.0; a range that does not parse is an error.
  auto version = parse_semver(str(args[0]));
  auto satisfied = semver_satisfies(version ? *version : SemVersion{}, str(args[1]));
  if (!satisfied) {
    std::string message = satisfied.error().message;
    if (message.starts_with("invalid-value: ")) message = message.substr(15);
    return invalid_value("semver_compare", message);
  }
  return Value(*satisfied);
}

Result<Value> fn_parse_json(CallContext&, Args args) {
  auto parsed = json::parse(str(args[0]));
  if (!parsed) return invalid_value("parse_json", parsed.error().message);
  return std::move(*parsed);
}

// A plain (unquoted) scalar as YAML 1.1 reads it (go-yaml v2, under sigs.k8s.io/yaml): null, booleans
// (yes/no/on/off too), decimal numbers; anything else is a string.
Value plain_scalar(const std::string& text) {
  static const RE2 kNull("~|null|Null|NULL|");
  static const RE2 kTrue("y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON");
  static const RE2 kFalse("n|N|no|No|NO|false|False|FALSE|off|Off|OFF");
  static const RE2 kNumber(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (RE2::FullMatch(text, kNull)) return Value();
  if (RE2::FullMatch(text, kTrue)) return Value(true);
  if (RE2::FullMatch(text, kFalse)) return Value(false);
  if (RE2::FullMatch(text, kNumber)) {
    const double number = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(number)) return Value(number);
  }
  return Value(text);
}

// YAML as sigs.k8s.io/yaml turns it into JSON: YAML 1.1 plain scalars, other keys as their text.
Result<Value> yaml_to_value(CallContext& context, const YAML::Node& node, std::size_t depth) {
  if (auto ok = context.charge(1); !ok) return ok.error();
  if (depth > 512) return invalid_value("parse_yaml", "YAML nested deeper than 512 levels");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Value();
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return Value(text);
      return plain_scalar(text);
    }
    case YAML::NodeType::Sequence: {
      json::Array out;
      for (const auto& item : node) {
        auto value = yaml_to_value(context, item, depth + 1);
        if (!value) return value;
        out.push_back(std::move(*value));
      }
      return Value(std::move(out));
    }
    case YAML::NodeType::Map: {
      json::Object out;
      for (const auto& member : node) {
        if (!member.first.IsScalar()) return invalid_value("parse_yaml", "a mapping key must be a scalar");
        auto value = yaml_to_value(context, member.second, depth + 1);
        if (!value) return value;
        const std::string key = member.first.Scalar();
        auto same = std::find_if(out.begin(), out.end(), [&](const json::Member& m) { return m.first == key; });
        if (same != out.end()) {
          same->second = std::move(*value);
        } else {
          out.emplace_back(key, std::move(*value));
        }
      }
      return Value(std::move(out));
    }
  }
  return Value();
}

Result<Value> fn_parse_yaml(CallContext& context, Args args) {
  try {
    const YAML::Node root = YAML::Load(str(args[0]));
    return yaml_to_value(context, root, 0);
  } catch (const YAML::Exception& error) {
    return invalid_value("parse_yaml", error.what());
  }
}

Result<Value> fn_lookup(CallContext&, Args args) {
  const Value& collection = args[0].value;
  if (collection.is_object()) {
    if (!args[1].value.is_string()) return invalid_type("lookup", "argument 2 must be a string for an object");
    const Value* found = collection.find(args[1].value.as_string());
    return found != nullptr ? *found : Value();
  }
  if (!args[1].value.is_number()) return invalid_type("lookup", "argument 2 must be a number for an array");
  const double index = args[1].value.as_number();
  if (index != std::trunc(index) || !std::isfinite(index)) {
    return invalid_value("lookup", "argument 2: expected an integer number but got " + json::to_json(args[1].value));
  }
  if (index < 0 || index >= static_cast<double>(collection.as_array().size())) return Value();
  return collection.as_array()[static_cast<std::size_t>(index)];
}

Result<Value> fn_items(CallContext&, Args args) {
  const std::string& key_name = str(args[1]);
  const std::string& value_name = str(args[2]);
  auto item = [&](Value key, Value value) {
    json::Object pair;
    pair.emplace_back(key_name, std::move(key));
    if (value_name != key_name) {
      pair.emplace_back(value_name, std::move(value));
    } else {
      pair[0].second = std::move(value);
    }
    return Value(std::move(pair));
  };
  json::Array out;
  if (args[0].value.is_object()) {
    std::vector<const json::Member*> members;
    for (const auto& member : args[0].value.as_object()) members.push_back(&member);
    std::sort(members.begin(), members.end(),
              [](const json::Member* a, const json::Member* b) { return a->first < b->first; });
    for (const auto* member : members) out.push_back(item(Value(member->first), member->second));
  } else {
    const auto& items = args[0].value.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) out.push_back(item(Value(static_cast<double>(i)), items[i]));
  }
  return Value(std::move(out));
}

Result<Value> fn_object_from_lists(CallContext&, Args args) {
  const auto& keys = args[0].value.as_array();
  const auto& values = args[1].value.as_array();
  json::Object out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string key;
    if (keys[i].is_string()) {
      key = keys[i].as_string();
    } else if (keys[i].is_number()) {
      key = number_text(keys[i].as_number());
    } else if (keys[i].is_bool()) {
      key = keys[i].as_bool() ? "true" : "false";
    } else {
      return invalid_type("object_from_lists", "argument 1 must be an array of strings");
    }
    Value value = i < values.size() ? values[i] : Value();
    auto same = std::find_if(out.begin(), out.end(), [&](const json::Member& m) { return m.first == key; });
    if (same != out.end()) {
      same->second = std::move(value);
    } else {
      out.emplace_back(std::move(key), std::move(value));
    }
  }
  return Value(std::move(out));
}

Result<Value> digest(std::string_view function, const EVP_MD* md, const std::string& text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), out, &size, md, nullptr) != 1) {
    return invalid_value(function, "the digest could not be computed");
  }
  return Value(crypto::hex_encode(std::string_view(reinterpret_cast<const char*>(out), size)));
}

Result<Value> fn_sha256(CallContext&, Args args) { return digest("sha256", EVP_sha256(), str(args[0])); }
Result<Value> fn_sha1(CallContext&, Args args) { return digest("sha1", EVP_sha1(), str(args[0])); }
Result<Value> fn_md5(CallContext&, Args args) { return digest("md5", EVP_md5(), str(args[0])); }

}  // namespace

std::span<const Function> kyverno_functions() {
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
      {"to_boolean",
       {kString},
       false,
       fn_to_boolean,
       "boolean",
       "It returns true or false for any string, such as 'True', 'TruE', 'False', 'FAlse', 'faLSE', etc."},
      {"add",
       {kAny, kAny},
       false,
       fn_add,
       "any",
       "does arithmetic addition of two specified values of numbers and durations"},
      {"sum",
       {kArray},
       false,
       fn_sum,
       "any",
       "does arithmetic addition of specified array of values of numbers and durations"},
      {"subtract",
       {kAny, kAny},
       false,
       fn_subtract,
       "any",
       "does arithmetic subtraction of two specified values of numbers and durations"},
      {"multiply",
       {kAny, kAny},
       false,
       fn_multiply,
       "any",
       "does arithmetic multiplication of two specified values of numbers and durations"},
      {"divide", {kAny, kAny}, false, fn_divide, "any", "divisor must be non zero"},
      {"modulo", {kAny, kAny}, false, fn_modulo, "any", "divisor must be non-zero, arguments must be integers"},
      {"round", {kNumber, kNumber}, false, fn_round, "number", "does roundoff to upto the given decimal places"},
      {"base64_decode", {kString}, false, fn_base64_decode, "string", "decodes a base 64 string"},
      {"base64_encode",
       {kString},
       false,
       fn_base64_encode,
       "string",
       "encodes a regular, plaintext and unencoded string to base64"},
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
      {"semver_compare",
       {kString, kString},
       false,
       fn_semver_compare,
       "boolean",
       "compares two strings which comply with the semantic versioning schema and outputs a boolean response as "
       "to the position of the second relative to the first"},
      {"parse_json",
       {kString},
       false,
       fn_parse_json,
       "any",
       "decodes a valid JSON encoded string to the appropriate type. Opposite of `to_string` function"},
      {"parse_yaml",
       {kString},
       false,
       fn_parse_yaml,
       "any",
       "decodes a valid YAML encoded string to the appropriate type provided it can be represented as JSON"},
      {"lookup",
       {kObject | kArray, kString | kNumber},
       false,
       fn_lookup,
       "any",
       "returns the value corresponding to the given key/index in the given object/array"},
      {"items",
       {kObject | kArray, kString, kString},
       false,
       fn_items,
       "array",
       "converts a map or array to an array of objects where each key:value is an item in the array"},
      {"object_from_lists",
       {kArray, kArray},
       false,
       fn_object_from_lists,
       "object",
       "converts a pair of lists containing keys and values to an object"},
      {"sha256", {kString}, false, fn_sha256, "string", "generate unique resources name if length exceeds the limit"},
      {"sha1", {kString}, false, fn_sha1, "string", "generate a SHA-1 hash"},
      {"md5", {kString}, false, fn_md5, "string", "generates an MD5 hash"},
  };
  return kFunctions;
}

}  // namespace signet::policy::jmespath
