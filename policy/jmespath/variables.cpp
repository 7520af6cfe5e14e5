#include "policy/jmespath/variables.hpp"

#include <re2/re2.h>

#include "policy/jmespath/jmespath.hpp"

namespace signet::policy {
namespace {

// Kyverno's variable pattern: "{{...}}" at the start or after any character but '\'; one level of
// single braces may appear inside (a multi-select hash), "{{" may not.
const RE2& variable_pattern() {
  static const RE2 kPattern(R"((^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\}))");
  return kPattern;
}

// A value whose variables resolve to more variables is substituted again, this many times at most.
constexpr int kMaxRounds = 16;

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  std::size_t at = 0;
  while ((at = text.find(from, at)) != std::string::npos) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

struct Variable {
  std::string whole;   // "{{ expr }}" as written
  std::string prefix;  // the character before it, "" at the start
  std::string expression;
  bool shallow = false;  // "{{- expr }}": the value is not scanned again
};

std::vector<Variable> find_variables(const std::string& text) {
  std::vector<Variable> out;
  re2::StringPiece input(text);
  re2::StringPiece prefix, whole;
  while (RE2::FindAndConsume(&input, variable_pattern(), &prefix, &whole)) {
    Variable variable;
    variable.whole = std::string(whole);
    variable.prefix = std::string(prefix);
    std::string expression = variable.whole;
    replace_all(expression, "{{", "");
    replace_all(expression, "}}", "");
    auto trim = [](std::string s) {
      const auto begin = s.find_first_not_of(" \t\r\n");
      if (begin == std::string::npos) return std::string();
      return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
    };
    expression = trim(expression);
    if (expression.starts_with("-")) {
      variable.shallow = true;
      expression = trim(expression.substr(1));
    }
    variable.expression = expression;
    out.push_back(std::move(variable));
    if (input.empty()) break;
  }
  return out;
}

Result<json::Value> resolve(const Variable& variable, const json::Value& context) {
  auto fail = [&](const std::string& why) {
    return Error::invalid("variable substitution failed for \"" + variable.whole + "\": " + why);
  };
  if (variable.expression.empty()) return fail("the variable is empty");
  if (variable.expression == "@") return fail("{{@}} (the current field) is not supported by signet");
  auto value = jmespath::search(variable.expression, context);
  if (!value) return fail(value.error().message);
  if (value->is_null()) return fail("\"" + variable.expression + "\" resolves to null (no such field?)");
  return value;
}

Result<json::Value> substitute_string(const std::string& original, const json::Value& context) {
  std::string text = original;
  for (int round = 0; round < kMaxRounds; ++round) {
    const auto variables = find_variables(text);
    if (variables.empty()) break;
    bool shallow = false;
    for (const auto& variable : variables) {
      auto value = resolve(variable, context);
      if (!value) return value;
      if (variable.whole == text) return value;  // the whole string: the value keeps its type
      std::string replacement = value->is_string() ? value->as_string() : json::to_json(*value);
      if (variable.shallow) replace_all(replacement, "{{", "\\{{");
      const std::string from = variable.prefix + variable.whole;
      const std::size_t at = text.find(from);
      if (at != std::string::npos) text.replace(at, from.size(), variable.prefix + replacement);
      shallow = variable.shallow;
    }
    if (shallow) break;
    if (round + 1 == kMaxRounds && has_variables(text)) {
      return Error::invalid("variable substitution failed for \"" + original + "\": variables still unresolved after " +
                            std::to_string(kMaxRounds) + " rounds (do values refer to each other?)");
    }
  }
  replace_all(text, "\\{{", "{{");
  return json::Value(std::move(text));
}

}  // namespace

bool has_variables(std::string_view text) {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), variable_pattern());
}

std::vector<std::string> variable_expressions(const std::string& text) {
  std::vector<std::string> out;
  for (auto& variable : find_variables(text)) out.push_back(std::move(variable.expression));
  return out;
}

Result<json::Value> substitute_variables(const json::Value& value, const json::Value& context) {
  switch (value.type()) {
    case json::Type::String:
      return substitute_string(value.as_string(), context);
    case json::Type::Array: {
      json::Array out;
      out.reserve(value.as_array().size());
      for (const auto& item : value.as_array()) {
        auto substituted = substitute_variables(item, context);
        if (!substituted) return substituted;
        out.push_back(std::move(*substituted));
      }
      return json::Value(std::move(out));
    }
    case json::Type::Object: {
      json::Object out;
      out.reserve(value.as_object().size());
      for (const auto& [key, item] : value.as_object()) {
        auto substituted = substitute_variables(item, context);
        if (!substituted) return substituted;
        out.emplace_back(key, std::move(*substituted));
      }
      return json::Value(std::move(out));
    }
    default:
      return value;
  }
}

}  // namespace signet::policy
