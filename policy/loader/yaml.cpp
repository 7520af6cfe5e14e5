#include "policy/loader/yaml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <set>

#include "policy/jmespath/variables.hpp"

namespace signet::policy::loader {

namespace {

constexpr std::array<std::string_view, 5> kNulls = {"", "~", "null", "Null", "NULL"};
constexpr std::array<std::string_view, 11> kTrues = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                                     "True", "TRUE", "on",  "On",  "ON"};
constexpr std::array<std::string_view, 11> kFalses = {"n",     "N",     "no",  "No",  "NO", "false",
                                                      "False", "FALSE", "off", "Off", "OFF"};

bool contains(const auto& list, std::string_view text) {
  return std::find(list.begin(), list.end(), text) != list.end();
}

std::string without_underscores(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '_') out += c;
  }
  return out;
}

bool all_of_digits(std::string_view text, std::string_view digits) {
  return !text.empty() && text.find_first_not_of(digits) == std::string_view::npos;
}

// YAML 1.1 integer forms (decimal, 0x hex, 0b binary, 0-prefixed octal), underscores allowed.
bool looks_like_int(std::string_view text) {
  std::string t = without_underscores(text);
  std::string_view v = t;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
  if (v == "0") return true;
  if (v.starts_with("0x")) return all_of_digits(v.substr(2), "0123456789abcdefABCDEF");
  if (v.starts_with("0b")) return all_of_digits(v.substr(2), "01");
  if (v.starts_with("0")) return all_of_digits(v.substr(1), "01234567");
  return all_of_digits(v, "0123456789");
}

bool looks_like_float(std::string_view text) {
  static constexpr std::array<std::string_view, 9> special = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                                              "+.INF", "-.inf", "-.Inf", "-.INF"};
  if (contains(special, text) || text == ".nan" || text == ".NaN" || text == ".NAN") return true;
  std::string t = without_underscores(text);
  if (t.empty()) return false;
  char* end = nullptr;
  std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

std::optional<long long> parse_int(std::string_view text) {
  std::string t = without_underscores(text);
  std::string_view v = t;
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  int base = 10;
  if (v.starts_with("0x")) {
    base = 16;
    v.remove_prefix(2);
  } else if (v.starts_with("0b")) {
    base = 2;
    v.remove_prefix(2);
  } else if (v.size() > 1 && v.starts_with("0")) {
    base = 8;
    v.remove_prefix(1);
  }
  long long value = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), value, base);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return negative ? -value : value;
}

// Levenshtein distance, to suggest the field a typo meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The kind of a scalar node: plain scalars are resolved as YAML 1.1 does; quoted and block scalars
// are strings; explicit core tags say what they are.
ScalarKind scalar_kind(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag == "?") return plain_scalar_kind(node.Scalar());
  if (tag == "tag:yaml.org,2002:bool") return ScalarKind::Bool;
  if (tag == "tag:yaml.org,2002:int") return ScalarKind::Int;
  if (tag == "tag:yaml.org,2002:float") return ScalarKind::Float;
  if (tag == "tag:yaml.org,2002:null") return ScalarKind::Null;
  return ScalarKind::String;
}

}  // namespace

ScalarKind plain_scalar_kind(std::string_view text) {
  if (contains(kNulls, text)) return ScalarKind::Null;
  if (contains(kTrues, text) || contains(kFalses, text)) return ScalarKind::Bool;
  if (text.empty() || std::string_view("+-.0123456789").find(text[0]) == std::string_view::npos) {
    return ScalarKind::String;
  }
  if (looks_like_int(text)) return ScalarKind::Int;
  if (looks_like_float(text)) return ScalarKind::Float;
  return ScalarKind::String;
}

void Problems::report(FieldProblem problem) {
  if (!first_) first_ = std::move(problem);
}

Field::Field(YAML::Node node, std::string path, std::string key, std::string parent_key, int line, int line_offset,
             Problems& problems)
    : node_(std::move(node)),
      path_(std::move(path)),
      key_(std::move(key)),
      parent_key_(std::move(parent_key)),
      line_(line),
      line_offset_(line_offset),
      problems_(&problems) {}

Field Field::root(const YAML::Node& node, int line_offset, Problems& problems) {
  int line = line_offset + 1;
  if (node.IsDefined() && !node.Mark().is_null()) line = node.Mark().line + 1 + line_offset;
  return Field(node, "", "", "", line, line_offset, problems);
}

int Field::node_line(const YAML::Node& node, int fallback) const {
  if (!node.IsDefined() || node.Mark().is_null()) return fallback;
  return node.Mark().line + 1 + line_offset_;
}

Field Field::child(const YAML::Node& value, std::string key, int line) const {
  std::string path = path_.empty() ? key : path_ + "." + key;
  Field out(value, std::move(path), std::move(key), key_, line, line_offset_, *problems_);
  out.variables_ = variables_;
  return out;
}

Field Field::with_variables(const LoadVariables& variables) const {
  Field out = *this;
  out.variables_ = &variables;
  return out;
}

bool Field::substitutes() const { return variables_ != nullptr && is_scalar() && has_variables(node_.Scalar()); }

std::optional<std::string> Field::substituted() const {
  auto value = variables_->substitute(node_.Scalar());
  if (!value) {
    problems_->report({path_, line_, display_name() + ": " + value.error().message});
    return std::nullopt;
  }
  if (value->is_string()) return value->as_string();
  if (value->is_number() || value->is_bool()) return json::to_json(*value);
  refuse("expected text, got " + std::string(json::to_string(value->type())));
  return std::nullopt;
}

bool Field::present() const { return node_.IsDefined() && !node_.IsNull(); }
bool Field::is_map() const { return node_.IsDefined() && node_.IsMap(); }
bool Field::is_sequence() const { return node_.IsDefined() && node_.IsSequence(); }
bool Field::is_scalar() const { return node_.IsDefined() && node_.IsScalar(); }

Field Field::operator[](std::string_view key) const {
  if (is_map()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        return child(it->second, std::string(key), node_line(it->first, line_));
      }
    }
  }
  return child(YAML::Node(YAML::NodeType::Undefined), std::string(key), line_);
}

std::vector<Field> Field::items() const {
  std::vector<Field> out;
  if (!present()) return out;
  if (!is_sequence()) {
    refuse("expected a list, got " + describe_scalar());
    return out;
  }
  std::size_t index = 0;
  for (auto it = node_.begin(); it != node_.end(); ++it, ++index) {
    out.push_back(Field(*it, path_ + "[" + std::to_string(index) + "]", "", key_, node_line(*it, line_), line_offset_,
                        *problems_));
    out.back().variables_ = variables_;
  }
  return out;
}

std::vector<std::pair<std::string, Field>> Field::entries() const {
  std::vector<std::pair<std::string, Field>> out;
  if (!expect_map()) return out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    int line = node_line(it->first, line_);
    if (!it->first.IsScalar()) {
      problems_->report({path_, line, "field names must be strings"});
      continue;
    }
    const std::string& key = it->first.Scalar();
    out.emplace_back(key, child(it->second, key, line));
  }
  return out;
}

bool Field::expect_map() const {
  if (!present()) return false;
  if (is_map()) return true;
  refuse("expected an object, got " + describe_scalar());
  return false;
}

bool Field::check_fields(std::initializer_list<FieldSpec> known) const {
  if (!expect_map()) return !problems_->any();
  bool clean = true;
  std::set<std::string> seen;
  for (const auto& [key, value] : entries()) {
    if (!seen.insert(key).second) {
      value.refuse("duplicate field \"" + key + "\"");
      clean = false;
      continue;
    }
    auto spec = std::find_if(known.begin(), known.end(), [&](const FieldSpec& f) { return f.name == key; });
    if (spec == known.end()) {
      std::string message = "unknown field \"" + key + "\"";
      std::string_view best;
      std::size_t best_distance = 3;
      for (const FieldSpec& f : known) {
        std::size_t d = edit_distance(key, f.name);
        if (d < best_distance) {
          best_distance = d;
          best = f.name;
        }
      }
      if (!best.empty()) message += " (did you mean \"" + std::string(best) + "\"?)";
      value.refuse(message);
      clean = false;
    } else if (spec->support == Support::Unsupported ||
               (spec->support == Support::UnsupportedUnlessEmpty && !value.empty_value())) {
      value.unsupported(spec->detail);
      clean = false;
    }
  }
  return clean;
}

std::string Field::describe_scalar() const {
  if (!node_.IsDefined() || node_.IsNull()) return "null";
  if (node_.IsSequence()) return "a list";
  if (node_.IsMap()) return "an object";
  std::string text = node_.Scalar();
  if (text.size() > 40) text = text.substr(0, 40) + "…";
  switch (scalar_kind(node_)) {
    case ScalarKind::Null:
      return "null";
    case ScalarKind::Bool:
      return "the boolean " + text;
    case ScalarKind::Int:
    case ScalarKind::Float:
      return "the number " + text;
    case ScalarKind::String:
      break;
  }
  return "the string \"" + text + "\"";
}

std::string Field::string(std::string fallback) const {
  if (!present()) return fallback;
  if (!is_scalar() || scalar_kind(node_) != ScalarKind::String) {
    std::string message = "expected a string, got " + describe_scalar();
    if (is_scalar()) message += " (quote it to make it a string)";
    refuse(message);
    return fallback;
  }
  if (substitutes()) return substituted().value_or(fallback);
  return node_.Scalar();
}

bool Field::boolean(bool fallback) const {
  if (!present()) return fallback;
  if (is_scalar() && scalar_kind(node_) == ScalarKind::Bool) {
    const std::string& text = node_.Scalar();
    if (node_.Tag() != "?") return text == "true" || text == "True" || text == "TRUE";
    return contains(kTrues, text);
  }
  refuse("expected true or false, got " + describe_scalar());
  return fallback;
}

std::optional<long long> Field::integer() const {
  if (!present()) return std::nullopt;
  if (substitutes()) {
    auto text = substituted();
    if (!text) return std::nullopt;
    if (plain_scalar_kind(*text) == ScalarKind::Int) {
      if (auto value = parse_int(*text)) return value;
    }
    refuse("expected an integer, got \"" + *text + "\"");
    return std::nullopt;
  }
  if (is_scalar() && scalar_kind(node_) == ScalarKind::Int) {
    if (auto value = parse_int(node_.Scalar())) return value;
    refuse("the number " + node_.Scalar() + " is out of range");
    return std::nullopt;
  }
  refuse("expected an integer, got " + describe_scalar());
  return std::nullopt;
}

json::Value Field::to_json() const {
  if (!present()) return json::Value();
  if (is_sequence()) {
    json::Array out;
    for (const Field& item : items()) out.push_back(item.to_json());
    return out;
  }
  if (is_map()) {
    json::Object out;
    for (const auto& [key, value] : entries()) out.emplace_back(key, value.to_json());
    return out;
  }
  const std::string& text = node_.Scalar();
  switch (scalar_kind(node_)) {
    case ScalarKind::Null:
      return json::Value();
    case ScalarKind::Bool:
      return boolean(false);
    case ScalarKind::Int:
      if (auto value = parse_int(text)) return static_cast<double>(*value);
      return text;
    case ScalarKind::Float: {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (end != nullptr && *end == '\0') return value;
      return text;
    }
    case ScalarKind::String:
      return text;
  }
  return text;
}

std::vector<std::string> Field::strings() const {
  std::vector<std::string> out;
  for (const Field& item : items()) {
    if (!item.present()) {
      item.refuse("expected a string, got null");
      continue;
    }
    out.push_back(item.string());
  }
  return out;
}

std::map<std::string, std::string> Field::string_map() const {
  std::map<std::string, std::string> out;
  std::set<std::string> seen;
  for (const auto& [key, value] : entries()) {
    if (!seen.insert(key).second) {
      value.refuse("duplicate key \"" + key + "\"");
      continue;
    }
    // Kubernetes maps of strings take "" for null values.
    out[key] = value.present() ? value.string() : std::string();
  }
  return out;
}

bool Field::empty_value() const {
  if (!present()) return true;
  if (is_sequence() || is_map()) return node_.size() == 0;
  if (!is_scalar()) return true;
  if (node_.Scalar().empty()) return true;
  return scalar_kind(node_) == ScalarKind::Bool && contains(kFalses, node_.Scalar());
}

void Field::refuse(std::string message) const {
  if (substitutes()) message += " (the value of " + variables_->origin(node_.Scalar()) + ")";
  problems_->report({path_, line_, std::move(message)});
}

std::string Field::display_name() const {
  if (key_.empty()) {
    auto dot = path_.rfind('.');
    return dot == std::string::npos ? path_ : path_.substr(dot + 1);
  }
  return parent_key_.empty() ? key_ : parent_key_ + "." + key_;
}

void Field::unsupported(std::string_view detail) const {
  std::string message = display_name() + " is not supported by signet yet";
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  refuse(std::move(message));
}

}  // namespace signet::policy::loader
