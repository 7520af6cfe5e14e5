#include "policy/loader/context.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "policy/jmespath/jmespath.hpp"
#include "policy/jmespath/variables.hpp"

namespace signet::policy::loader {

namespace {

// Kyverno's pre-defined variables, which a context entry may not be named after.
constexpr std::array<std::string_view, 6> kReservedNames = {
    "images", "request", "serviceAccountName", "serviceAccountNamespace", "element", "elementIndex"};

// What only an admission has: signet resolves attestors and context entries before any.
constexpr std::array<std::string_view, 8> kAdmissionVariables = {
    "request", "images", "image", "element", "elementIndex", "target", "serviceAccountName", "serviceAccountNamespace"};

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The identifiers an expression reads from its root: not after '.', not function names, not in quotes.
std::vector<std::string> root_identifiers(std::string_view expression) {
  std::vector<std::string> out;
  char previous = 0;  // the last character outside quotes that is not a space
  for (std::size_t i = 0; i < expression.size();) {
    const char c = expression[i];
    if (c == '\'' || c == '"' || c == '`') {
      const std::size_t end = expression.find(c, i + 1);
      i = end == std::string_view::npos ? expression.size() : end + 1;
      previous = c;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t end = i;
      while (end < expression.size() && is_identifier_char(expression[end])) ++end;
      std::size_t next = expression.find_first_not_of(" \t", end);
      const bool function = next != std::string_view::npos && expression[next] == '(';
      if (previous != '.' && !function) out.emplace_back(expression.substr(i, end - i));
      previous = 'a';
      i = end;
      continue;
    }
    if (c != ' ' && c != '\t') previous = c;
    ++i;
  }
  return out;
}

// The root an expression starts from: "keys" for "keys.data.prod".
std::string leading_name(std::string_view expression) {
  std::size_t end = 0;
  while (end < expression.size() && is_identifier_char(expression[end])) ++end;
  return std::string(expression.substr(0, end));
}

bool is_listed(const auto& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

RuleContext RuleContext::parse(const Field& field, const Policy& policy, ClusterObjects* cluster) {
  RuleContext context;
  for (const Field& item : field.items()) {
    if (field.problems().any()) break;
    context.add(item, policy, cluster);
  }
  return context;
}

void RuleContext::add(const Field& field, const Policy& policy, ClusterObjects* cluster) {
  if (!field.expect_map() ||
      !field.check_fields({{"name"},
                           {"configMap"},
                           {"variable"},
                           {"apiCall", Support::Unsupported, "context entries from API calls"},
                           {"imageRegistry", Support::Unsupported, "context entries from image registries"},
                           {"globalReference", Support::Unsupported, "global context entries"}})) {
    return;
  }
  ContextEntry entry;
  entry.name = field["name"].string();
  if (entry.name.empty()) {
    (field["name"].present() ? field["name"] : field).refuse("name is required: a context entry needs a name");
    return;
  }
  for (std::string_view reserved : kReservedNames) {
    if (entry.name == reserved || entry.name.starts_with(std::string(reserved) + ".")) {
      field["name"].refuse("context entry name " + entry.name + " conflicts with the pre-defined variable " +
                           std::string(reserved));
      return;
    }
  }
  if (field["configMap"].present() == field["variable"].present()) {
    field.refuse("context entry " + entry.name + " needs exactly one of configMap and variable");
    return;
  }
  std::optional<json::Value> value;
  std::string source;
  if (field["configMap"].present()) {
    ConfigMapReference reference;
    value = read_config_map(field["configMap"], policy, cluster, reference);
    source = "ConfigMap " + reference.namespace_name + "/" + reference.name;
    entry.config_map = std::move(reference);
  } else {
    const Field variable = field["variable"];
    if (!variable.expect_map() || !variable.check_fields({{"value"}, {"jmesPath"}, {"default"}})) return;
    ContextVariable parsed{variable["value"].to_json(), variable["jmesPath"].string(), variable["default"].to_json()};
    // Kyverno's validateVariable.
    if (parsed.value.is_null() && parsed.jmes_path.empty()) {
      variable.refuse("a variable needs a value or a jmesPath");
      return;
    }
    if (!parsed.default_value.is_null() && parsed.jmes_path.empty()) {
      variable["default"].refuse("a default is only taken with a jmesPath");
      return;
    }
    value = evaluate_variable(variable, parsed);
    source = "context variable " + entry.name;
    entry.variable = std::move(parsed);
  }
  if (!value) return;
  auto existing = std::find_if(values_.begin(), values_.end(), [&](const auto& m) { return m.first == entry.name; });
  if (existing != values_.end()) values_.erase(existing);  // Kyverno replaces an entry of the same name
  values_.emplace_back(entry.name, std::move(*value));
  sources_[entry.name] = std::move(source);
  entries_.push_back(std::move(entry));
}

std::optional<json::Value> RuleContext::read_config_map(const Field& field, const Policy& policy,
                                                        ClusterObjects* cluster, ConfigMapReference& reference) const {
  if (!field.expect_map() || !field.check_fields({{"name"}, {"namespace"}})) return std::nullopt;
  auto text = [&](const Field& part) -> std::optional<std::string> {
    auto resolved = resolve(json::Value(part.string()));
    if (!resolved) {
      part.refuse(part.display_name() + ": " + resolved.error().message);
      return std::nullopt;
    }
    if (!resolved->is_string()) {
      part.refuse(part.display_name() + " must be a name, got a " + json::to_string(resolved->type()));
      return std::nullopt;
    }
    return resolved->as_string();
  };
  auto name = text(field["name"]);
  auto ns = text(field["namespace"]);
  if (!name || !ns) return std::nullopt;
  if (name->empty()) {
    (field["name"].present() ? field["name"] : field).refuse("configMap.name is required");
    return std::nullopt;
  }
  if (ns->empty()) {
    if (policy.namespace_name.empty()) {
      // Kyverno's policy validation refuses it; its engine would read namespace "default".
      field.refuse("configMap.namespace is required in a ClusterPolicy");
      return std::nullopt;
    }
    *ns = policy.namespace_name;
  }
  if (!policy.namespace_name.empty() && *ns != policy.namespace_name) {
    field["namespace"].refuse("a Policy reads ConfigMaps in its own namespace " + policy.namespace_name + ", not " +
                              *ns + " (as Kyverno)");
    return std::nullopt;
  }
  reference = ConfigMapReference{*name, *ns};
  const std::string shown = "ConfigMap " + *ns + "/" + *name;
  if (cluster == nullptr) {
    field.refuse(shown + " is read from the Kubernetes API, which needs signet serve --kube-secrets");
    return std::nullopt;
  }
  auto read = cluster->config_map(*ns, *name);
  if (!read) {
    field.refuse(read.error().message);
    return std::nullopt;
  }
  auto parsed = json::parse(*read);
  if (!parsed || !parsed->is_object()) {
    field.refuse(shown + " is not a JSON object" + (parsed ? std::string() : ": " + parsed.error().message));
    return std::nullopt;
  }
  return std::move(*parsed);
}

// Kyverno's variable loader: the value (substituted) through jmesPath, or jmesPath over the context; the
// default when that fails or finds nothing.
std::optional<json::Value> RuleContext::evaluate_variable(const Field& field, const ContextVariable& variable) const {
  auto fail = [&](const Field& at, const std::string& why) {
    at.refuse(why);
    return std::nullopt;
  };
  std::string path = variable.jmes_path;
  if (!path.empty()) {
    auto substituted = resolve(json::Value(path));
    if (!substituted) return fail(field["jmesPath"], "jmesPath: " + substituted.error().message);
    if (!substituted->is_string()) return fail(field["jmesPath"], "jmesPath must be text");
    path = substituted->as_string();
    if (auto reads = check_admission_free(path); !reads) return fail(field["jmesPath"], reads.error().message);
  }
  json::Value fallback;
  if (!variable.default_value.is_null()) {
    auto substituted = resolve(variable.default_value);
    if (!substituted) return fail(field["default"], "default: " + substituted.error().message);
    fallback = std::move(*substituted);
  }
  json::Value output = fallback;
  if (!variable.value.is_null()) {
    auto value = resolve(variable.value);
    if (!value) return fail(field["value"], "value: " + value.error().message);
    output = std::move(*value);
    if (!path.empty()) {
      auto found = jmespath::search(path, output);
      if (found) {
        output = std::move(*found);
      } else if (fallback.is_null()) {
        return fail(field["jmesPath"], "jmesPath " + path + " fails on the value: " + found.error().message);
      } else {
        output = fallback;
      }
    }
  } else {
    auto found = jmespath::search(path, values());
    if (found && !found->is_null()) {
      output = std::move(*found);
    } else if (!found && fallback.is_null()) {
      return fail(field["jmesPath"], "jmesPath " + path + " fails: " + found.error().message);
    }
  }
  if (output.is_null()) return fail(field, "the variable evaluates to null");
  return output;
}

Result<void> RuleContext::check_admission_free(const std::string& expression) const {
  for (const std::string& name : root_identifiers(expression)) {
    if (!is_listed(kAdmissionVariables, name) || sources_.contains(name)) continue;
    return Error::invalid("\"" + expression + "\" reads " + name +
                          ", which only an admission has, and signet resolves this when policies load: use a "
                          "constant or a context entry (configMap or variable) instead");
  }
  return success();
}

Result<void> RuleContext::check_admission_free(const json::Value& value) const {
  if (value.is_string()) {
    for (const std::string& expression : variable_expressions(value.as_string())) {
      if (auto free = check_admission_free(expression); !free) return free;
    }
  } else if (value.is_array()) {
    for (const auto& item : value.as_array()) {
      if (auto free = check_admission_free(item); !free) return free;
    }
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.as_object()) {
      if (auto free = check_admission_free(item); !free) return free;
    }
  }
  return success();
}

Result<json::Value> RuleContext::resolve(const json::Value& value) const {
  if (auto free = check_admission_free(value); !free) return free.error();
  auto substituted = substitute_variables(value, values());
  if (substituted) return substituted;
  std::string known;
  for (const auto& [name, source] : sources_) known += (known.empty() ? "" : ", ") + name + " (" + source + ")";
  return Error::invalid(substituted.error().message +
                        (known.empty() ? "; the rule has no context entries" : "; the rule's context has " + known));
}

Result<json::Value> RuleContext::substitute(const std::string& text) const { return resolve(json::Value(text)); }

std::string RuleContext::origin(const std::string& text) const {
  std::string out;
  for (const std::string& expression : variable_expressions(text)) {
    const auto source = sources_.find(leading_name(expression));
    out += (out.empty() ? "" : ", ") + std::string("{{ ") + expression + " }}";
    if (source != sources_.end()) out += " from " + source->second;
  }
  return out;
}

}  // namespace signet::policy::loader
