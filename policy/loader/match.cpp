#include "policy/loader/match.hpp"

#include <algorithm>
#include <cctype>

namespace signet::policy::loader {

namespace {

bool has_wildcard_char(std::string_view text) { return text.find_first_of("*?") != std::string_view::npos; }

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A label name or value as Kubernetes allows it: at most 63 characters, alphanumeric at both ends,
// '-', '_' and '.' inside.
bool is_label_token(std::string_view text) {
  if (text.empty() || text.size() > 63) return false;
  if (!is_alnum(text.front()) || !is_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool is_dns_subdomain(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  if (!is_alnum(text.front()) || !is_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (std::islower(static_cast<unsigned char>(c)) != 0) || std::isdigit(static_cast<unsigned char>(c)) != 0 ||
           c == '-' || c == '.';
  });
}

bool is_label_key(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return is_label_token(key);
  return is_dns_subdomain(key.substr(0, slash)) && is_label_token(key.substr(slash + 1));
}

bool is_label_value(std::string_view value) { return value.empty() || is_label_token(value); }

bool selector_has_wildcard(const LabelSelector& selector) {
  for (const auto& [key, value] : selector.match_labels) {
    if (has_wildcard_char(key) || has_wildcard_char(value)) return true;
  }
  for (const auto& requirement : selector.match_expressions) {
    if (has_wildcard_char(requirement.key)) return true;
    for (const auto& value : requirement.values) {
      if (has_wildcard_char(value)) return true;
    }
  }
  return false;
}

LabelSelector parse_label_selector(const Field& field) {
  LabelSelector selector;
  if (!field.check_fields({{"matchLabels"}, {"matchExpressions"}})) return selector;
  selector.match_labels = field["matchLabels"].string_map();
  for (const Field& item : field["matchExpressions"].items()) {
    if (!item.check_fields({{"key"}, {"operator"}, {"values"}})) continue;
    LabelSelectorRequirement requirement;
    requirement.key = item["key"].string();
    if (requirement.key.empty()) item["key"].refuse("key is required");
    std::string op = item["operator"].string();
    if (op == "In") {
      requirement.op = LabelSelectorRequirement::Operator::In;
    } else if (op == "NotIn") {
      requirement.op = LabelSelectorRequirement::Operator::NotIn;
    } else if (op == "Exists") {
      requirement.op = LabelSelectorRequirement::Operator::Exists;
    } else if (op == "DoesNotExist") {
      requirement.op = LabelSelectorRequirement::Operator::DoesNotExist;
    } else {
      item["operator"].refuse("operator must be In, NotIn, Exists or DoesNotExist, got \"" + op + "\"");
    }
    requirement.values = item["values"].strings();
    bool set_based = requirement.op == LabelSelectorRequirement::Operator::In ||
                     requirement.op == LabelSelectorRequirement::Operator::NotIn;
    if (set_based && requirement.values.empty()) {
      item["values"].refuse("values must be non-empty for operator " + op);
    } else if (!set_based && !requirement.values.empty()) {
      item["values"].refuse("values must be empty for operator " + op);
    }
    selector.match_expressions.push_back(std::move(requirement));
  }
  if (field.problems().any() || selector_has_wildcard(selector)) return selector;
  // Kyverno checks selectors without wildcards as Kubernetes label selectors.
  if (selector.match_labels.empty() && selector.match_expressions.empty()) {
    field.refuse("the selector has no requirements (matchLabels or matchExpressions)");
  }
  for (const auto& [key, value] : selector.match_labels) {
    if (!is_label_key(key)) field["matchLabels"].refuse("invalid label key \"" + key + "\"");
    if (!is_label_value(value)) field["matchLabels"].refuse("invalid label value \"" + value + "\" for " + key);
  }
  for (const auto& requirement : selector.match_expressions) {
    if (!is_label_key(requirement.key)) {
      field["matchExpressions"].refuse("invalid label key \"" + requirement.key + "\"");
    }
    for (const auto& value : requirement.values) {
      if (!is_label_value(value)) field["matchExpressions"].refuse("invalid label value \"" + value + "\"");
    }
  }
  return selector;
}

// Kyverno's kind selectors: Kind, version/Kind, group/version/Kind, with an optional subresource
// ("Pod/status", "Pod.status"), and '*' in any part.
bool is_kind_selector(std::string_view kind) {
  if (kind.empty()) return false;
  std::size_t parts = 1;
  for (char c : kind) {
    if (c == '/') ++parts;
  }
  auto last = kind.substr(kind.rfind('/') == std::string_view::npos ? 0 : kind.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) ++parts;
  if (parts > 4) return false;
  return kind.find("//") == std::string_view::npos && kind.front() != '/' && kind.back() != '/' &&
         kind.find_first_of(" \t") == std::string_view::npos;
}

ResourceDescription parse_resource_description(const Field& field, const SchemaContext& context, bool required_kinds) {
  ResourceDescription description;
  if (!field.check_fields({{"kinds"},
                           {"name"},
                           {"names"},
                           {"namespaces"},
                           {"annotations"},
                           {"selector"},
                           {"namespaceSelector", Support::Unsupported, "it needs namespace labels from the API server"},
                           {"operations"}})) {
    return description;
  }
  description.kinds = field["kinds"].strings();
  for (const auto& kind : description.kinds) {
    if (!is_kind_selector(kind)) field["kinds"].refuse("invalid kind \"" + kind + "\"");
  }
  std::string name = field["name"].string();
  description.names = field["names"].strings();
  if (!name.empty() && !description.names.empty()) {
    field.refuse("name and names cannot be specified together");
  } else if (!name.empty()) {
    description.names.push_back(name);
  }
  description.namespaces = field["namespaces"].strings();
  if (context.namespaced && !description.namespaces.empty()) {
    field["namespaces"].refuse("a namespaced Policy cannot filter namespaces");
  }
  description.annotations = field["annotations"].string_map();
  if (field["selector"].present()) description.selector = parse_label_selector(field["selector"]);
  for (const Field& item : field["operations"].items()) {
    std::string op = item.string();
    if (op != "CREATE" && op != "UPDATE" && op != "DELETE" && op != "CONNECT") {
      item.refuse("operation must be CREATE, UPDATE, DELETE or CONNECT, got \"" + op + "\"");
    }
    description.operations.push_back(op);
  }
  if (required_kinds && description.kinds.empty() && !field.problems().any()) {
    field.refuse("kinds is required: name at least one kind to match");
  }
  return description;
}

Subject parse_subject(const Field& field) {
  Subject subject;
  if (!field.check_fields({{"kind"}, {"name"}, {"namespace"}, {"apiGroup"}})) return subject;
  subject.kind = field["kind"].string();
  subject.name = field["name"].string();
  subject.namespace_name = field["namespace"].string();
  subject.api_group = field["apiGroup"].string();
  if (subject.kind != "User" && subject.kind != "Group" && subject.kind != "ServiceAccount") {
    field["kind"].refuse("kind must be User, Group or ServiceAccount, got \"" + subject.kind + "\"");
  } else if (subject.name.empty()) {
    field["name"].refuse("name is required");
  } else if (subject.kind == "ServiceAccount" && subject.namespace_name.empty()) {
    field["namespace"].refuse("namespace is required when kind is ServiceAccount");
  }
  return subject;
}

// The user-info fields that sit beside `resources` (in a filter, or directly under match).
UserInfoFilter parse_user_info(const Field& field) {
  UserInfoFilter user;
  for (const Field& item : field["subjects"].items()) {
    if (item.expect_map()) user.subjects.push_back(parse_subject(item));
  }
  user.roles = field["roles"].strings();
  for (const auto& role : user.roles) {
    if (std::count(role.begin(), role.end(), ':') != 1) {
      field["roles"].refuse("role \"" + role + "\" must be in namespace:name form");
    }
  }
  user.cluster_roles = field["clusterRoles"].strings();
  // An AdmissionReview does not carry the requester's roles; Kyverno looks them up in RBAC. Until signet
  // reads RBAC, a filter on roles could never match, and a `match` that never matches lets images through.
  for (const char* name : {"roles", "clusterRoles"}) {
    if (!field[name].strings().empty())
      field[name].refuse(std::string(name) + " needs the cluster's RBAC bindings and is not supported by signet yet");
  }
  return user;
}

ResourceFilter parse_filter(const Field& field, const SchemaContext& context, bool required_kinds) {
  ResourceFilter filter;
  if (!field.check_fields({{"resources"}, {"subjects"}, {"roles"}, {"clusterRoles"}})) return filter;
  if (field["resources"].present()) {
    filter.resources = parse_resource_description(field["resources"], context, required_kinds);
  } else if (required_kinds) {
    field.refuse("resources is required: name at least one kind to match");
  }
  filter.user_info = parse_user_info(field);
  return filter;
}

// Kyverno refuses variables anywhere in match and exclude: they are evaluated before any context.
bool refuse_variables(const Field& field) {
  if (field.is_scalar()) {
    if (field.node().Scalar().find("{{") == std::string::npos) return false;
    field.refuse("variables are not allowed in match or exclude");
    return true;
  }
  if (field.is_sequence()) {
    for (const Field& item : field.items()) {
      if (refuse_variables(item)) return true;
    }
  } else if (field.is_map()) {
    for (const auto& [key, value] : field.entries()) {
      if (refuse_variables(value)) return true;
    }
  }
  return false;
}

}  // namespace

MatchResources parse_match_resources(const Field& field, const SchemaContext& context, bool required_kinds) {
  MatchResources match;
  bool known = context.v1
                   ? field.check_fields({{"any"}, {"all"}, {"resources"}, {"subjects"}, {"roles"}, {"clusterRoles"}})
                   : field.check_fields({{"any"}, {"all"}});
  if (!known || refuse_variables(field)) return match;
  for (const Field& item : field["any"].items()) match.any.push_back(parse_filter(item, context, required_kinds));
  for (const Field& item : field["all"].items()) match.all.push_back(parse_filter(item, context, required_kinds));
  if (!match.any.empty() && !match.all.empty()) {
    field.refuse("any and all cannot be specified together");
    return match;
  }
  bool legacy = field["resources"].present() || field["subjects"].present() || field["roles"].present() ||
                field["clusterRoles"].present();
  if (legacy && (!match.any.empty() || !match.all.empty())) {
    // Kyverno ignores the direct fields once any/all are given, so a policy mixing them is refused.
    field.refuse("resources, subjects, roles and clusterRoles cannot sit beside any/all");
    return match;
  }
  if (field["resources"].present()) {
    match.resources = parse_resource_description(field["resources"], context, required_kinds);
  }
  match.user_info = parse_user_info(field);
  if (required_kinds && match.any.empty() && match.all.empty() && match.resources.kinds.empty() &&
      !field.problems().any()) {
    field.refuse("match names no resources: give any, all or resources with at least one kind");
  }
  return match;
}

bool excludes_everything(const MatchResources& match, const MatchResources& exclude) {
  if (!match.all.empty() || !exclude.all.empty()) return false;
  for (const auto& m : match.any) {
    for (const auto& e : exclude.any) {
      if (m == e) return true;
    }
  }
  return false;
}

}  // namespace signet::policy::loader
