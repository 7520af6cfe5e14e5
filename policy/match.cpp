// Follows Kyverno's pkg/engine/utils/match.go, pkg/utils/match and pkg/autogen/v1, including its
// quirks, so that a policy selects in signet exactly what it selects in Kyverno.
#include "policy/match.hpp"

#include <algorithm>
#include <array>

#include "policy/jmespath/wildcard.hpp"

namespace signet::policy {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// ^(v\d+((alpha|beta)\d+)?|\*)$
bool is_version(std::string_view s) {
  if (s == "*") return true;
  if (s.size() < 2 || s[0] != 'v') return false;
  std::size_t i = 1;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i == s.size()) return true;
  for (std::string_view stage : {"alpha", "beta"}) {
    if (s.substr(i, stage.size()) == stage) {
      i += stage.size();
      return digits() && i == s.size();
    }
  }
  return false;
}

bool is_lower(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The kind named by a selector, without group, version or subresource (Kyverno's ContainsKind).
std::string bare_kind(std::string_view selector) {
  auto parts = split(selector, '/');
  std::string kind;
  switch (parts.size()) {
    case 1:
      kind = parts[0];
      break;
    case 2:
      kind = (parts[0] == "*" && parts[1] == "*") ? "" : (is_version(parts[0]) ? parts[1] : parts[0]);
      break;
    case 3:
      kind = is_version(parts[0]) ? parts[1] : parts[2];
      break;
    case 4:
      kind = parts[2];
      break;
    default:
      return "";
  }
  return kind.substr(0, kind.find('.'));
}

bool contains_kind(const std::vector<std::string>& kinds, std::string_view kind) {
  return std::any_of(kinds.begin(), kinds.end(), [&](const std::string& k) { return bare_kind(k) == kind; });
}

bool user_info_empty(const UserInfo& user) {
  return user.username.empty() && user.groups.empty() && user.roles.empty() && user.cluster_roles.empty();
}

bool any_shared(const std::vector<std::string>& wanted, const std::vector<std::string>& held) {
  return std::any_of(held.begin(), held.end(), [&](const std::string& h) { return contains(wanted, h); });
}

bool annotations_match(const std::map<std::string, std::string>& expected,
                       const std::map<std::string, std::string>& actual) {
  for (const auto& [key, value] : expected) {
    const bool found = std::any_of(actual.begin(), actual.end(), [&](const auto& kv) {
      return wildcard_match(key, kv.first) && wildcard_match(value, kv.second);
    });
    if (!found) return false;
  }
  return true;
}

// Kyverno's doesResourceMatchConditionBlock: every non-empty part must hold.
bool condition_block_matches(const ResourceDescription& resources, const UserInfoFilter& user_info,
                             const AdmissionRequest& request) {
  if (!resources.operations.empty() && !contains(resources.operations, request.operation)) return false;
  if (!resources.kinds.empty() && !kind_matches(resources.kinds, request)) return false;
  if (!resources.names.empty() && !wildcard_match_any(resources.names, request.name)) return false;
  if (!resources.namespaces.empty()) {
    const std::string& ns = request.kind == "Namespace" ? request.name : request.namespace_name;
    if (!wildcard_match_any(resources.namespaces, ns)) return false;
  }
  if (!resources.annotations.empty() && !annotations_match(resources.annotations, request.annotations)) {
    return false;
  }
  if (resources.selector && !selector_matches(*resources.selector, request.labels)) return false;
  // Namespace labels are not known to the engine; the loader refuses namespaceSelector.
  if (resources.namespace_selector) return false;
  if (!user_info.roles.empty() && !any_shared(user_info.roles, request.user.roles)) return false;
  if (!user_info.cluster_roles.empty() && !any_shared(user_info.cluster_roles, request.user.cluster_roles)) {
    return false;
  }
  if (!user_info.subjects.empty() && !subjects_match(user_info.subjects, request.user)) return false;
  return true;
}

bool filter_matches(const ResourceFilter& filter, const AdmissionRequest& request) {
  // Kyverno ignores user filters when the request carries no user (background scans, the CLI).
  const UserInfoFilter no_user;
  const UserInfoFilter& user_info = user_info_empty(request.user) ? no_user : filter.user_info;
  if (filter.resources.empty() && user_info.empty()) return false;  // "match cannot be empty"
  return condition_block_matches(filter.resources, user_info, request);
}

bool filter_excludes(const ResourceFilter& filter, const AdmissionRequest& request) {
  if (filter.resources.empty() && filter.user_info.empty()) return false;
  return condition_block_matches(filter.resources, filter.user_info, request);
}

// Kyverno's checkAutogenSupport for one resource description.
bool supports_autogen(const ResourceDescription& resources, bool& needed) {
  static const std::array<std::string_view, 8> kPodKinds = {
      "Pod", "DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController", "CronJob"};
  const bool mixed = resources.kinds.size() > 1 && contains_kind(resources.kinds, "Pod");
  if (!resources.names.empty() || resources.selector || !resources.annotations.empty() || mixed) return false;
  for (const auto& kind : resources.kinds) {
    if (std::find(kPodKinds.begin(), kPodKinds.end(), kind) != kPodKinds.end()) needed = true;
  }
  return true;
}

bool supports_autogen(const MatchResources& match, bool& needed) {
  if (!supports_autogen(match.resources, needed)) return false;
  for (const auto* filters : {&match.any, &match.all}) {
    for (const auto& filter : *filters) {
      if (!supports_autogen(filter.resources, needed)) return false;
    }
  }
  return true;
}

std::vector<std::string> all_kinds(const MatchResources& match) {
  std::vector<std::string> kinds = match.resources.kinds;
  for (const auto* filters : {&match.all, &match.any}) {
    for (const auto& filter : *filters)
      kinds.insert(kinds.end(), filter.resources.kinds.begin(), filter.resources.kinds.end());
  }
  return kinds;
}

std::string controller_gvk(std::string_view kind) {
  static const std::map<std::string, std::string, std::less<>> kGvk = {
      {"DaemonSet", "apps/v1/DaemonSet"},
      {"Deployment", "apps/v1/Deployment"},
      {"Job", "batch/v1/Job"},
      {"StatefulSet", "apps/v1/StatefulSet"},
      {"ReplicaSet", "apps/v1/ReplicaSet"},
      {"ReplicationController", "v1/ReplicationController"},
      {"CronJob", "batch/v1/CronJob"},
      {"Pod", "v1/Pod"}};
  const auto it = kGvk.find(kind);
  return it == kGvk.end() ? std::string(kind) : it->second;
}

// Kyverno's generateRule: the kinds of `block` replaced by `kinds`. In any/all lists, only filters that
// name Pod are rewritten unless `every_filter` (the CronJob form rewrites them all).
MatchResources replace_kinds(MatchResources block, const std::vector<std::string>& kinds, bool every_filter,
                             bool is_exclude) {
  auto rewrite = [&](std::vector<ResourceFilter>& filters) {
    for (auto& filter : filters) {
      if (every_filter || contains_kind(filter.resources.kinds, "Pod")) filter.resources.kinds = kinds;
    }
  };
  if (!block.any.empty()) {
    rewrite(block.any);
  } else if (!block.all.empty()) {
    rewrite(block.all);
  } else if (!is_exclude || !block.resources.kinds.empty()) {
    block.resources.kinds = kinds;
  }
  return block;
}

GeneratedMatch generate(const GeneratedMatch& from, const std::vector<std::string>& kinds, bool every_filter) {
  GeneratedMatch out{replace_kinds(from.match, kinds, every_filter, false), std::nullopt};
  if (from.exclude) out.exclude = replace_kinds(*from.exclude, kinds, every_filter, true);
  return out;
}

bool applies(const MatchResources& match, const std::optional<MatchResources>& exclude,
             const AdmissionRequest& request) {
  return matches(match, request) && !(exclude && excludes(*exclude, request));
}

}  // namespace

KindSelector parse_kind_selector(std::string_view text) {
  auto parts = split(text, '/');
  auto last = split(parts.back(), '.');
  parts.pop_back();
  parts.insert(parts.end(), last.begin(), last.end());
  switch (parts.size()) {
    case 1:
      return {"*", "*", parts[0], ""};
    case 2:
      if (parts[0] == "*" && parts[1] == "*") return {"*", "*", "*", "*"};
      if (parts[0] == "*" && is_lower(parts[1])) return {"*", "*", "*", parts[1]};
      if (is_version(parts[0])) return {"*", parts[0], parts[1], ""};
      return {"*", "*", parts[0], parts[1]};
    case 3:
      if (is_version(parts[0])) return {"*", parts[0], parts[1], parts[2]};
      return {parts[0], parts[1], parts[2], ""};
    case 4:
      return {parts[0], parts[1], parts[2], parts[3]};
    default:
      return {"", "", "", ""};
  }
}

bool kind_matches(const std::vector<std::string>& kinds, const AdmissionRequest& request) {
  const bool core_pod = request.group.empty() && request.version == "v1" && request.kind == "Pod";
  for (const auto& text : kinds) {
    const KindSelector s = parse_kind_selector(text);
    if (!wildcard_match(s.group, request.group) || !wildcard_match(s.version, request.version) ||
        !wildcard_match(s.kind, request.kind)) {
      continue;
    }
    // Ephemeral containers of a Pod are matched by a Pod rule, as Kyverno does for compatibility.
    if (wildcard_match(s.subresource, request.subresource) ||
        (core_pod && request.subresource == "ephemeralcontainers")) {
      return true;
    }
  }
  return false;
}

bool selector_matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    if (has_wildcard(key) || has_wildcard(value)) {
      const bool found = std::any_of(labels.begin(), labels.end(), [&](const auto& kv) {
        return wildcard_match(key, kv.first) && wildcard_match(value, kv.second);
      });
      if (found) continue;
      // Kyverno then requires the label with its wildcards replaced by '0'.
      auto zeroed = [](std::string s) {
        std::replace_if(
            s.begin(), s.end(), [](char c) { return c == '*' || c == '?'; }, '0');
        return s;
      };
      const auto it = labels.find(zeroed(key));
      if (it == labels.end() || it->second != zeroed(value)) return false;
    } else {
      const auto it = labels.find(key);
      if (it == labels.end() || it->second != value) return false;
    }
  }
  for (const auto& requirement : selector.match_expressions) {
    const auto it = labels.find(requirement.key);
    const bool present = it != labels.end();
    switch (requirement.op) {
      case LabelSelectorRequirement::Operator::In:
        if (!present || !contains(requirement.values, it->second)) return false;
        break;
      case LabelSelectorRequirement::Operator::NotIn:
        if (present && contains(requirement.values, it->second)) return false;
        break;
      case LabelSelectorRequirement::Operator::Exists:
        if (!present) return false;
        break;
      case LabelSelectorRequirement::Operator::DoesNotExist:
        if (present) return false;
        break;
    }
  }
  return true;
}

bool subjects_match(const std::vector<Subject>& subjects, const UserInfo& user) {
  for (const auto& subject : subjects) {
    if (subject.kind == "ServiceAccount") {
      if (wildcard_match("system:serviceaccount:" + subject.namespace_name + ":" + subject.name, user.username)) {
        return true;
      }
    } else if (subject.kind == "Group") {
      for (const auto& group : user.groups) {
        if (wildcard_match(subject.name, group)) return true;
      }
    } else if (subject.kind == "User") {
      if (wildcard_match(subject.name, user.username)) return true;
    }
  }
  return false;
}

bool matches(const MatchResources& match, const AdmissionRequest& request) {
  if (!match.any.empty()) {
    return std::any_of(match.any.begin(), match.any.end(),
                       [&](const ResourceFilter& filter) { return filter_matches(filter, request); });
  }
  if (!match.all.empty()) {
    return std::all_of(match.all.begin(), match.all.end(),
                       [&](const ResourceFilter& filter) { return filter_matches(filter, request); });
  }
  return filter_matches(ResourceFilter{match.user_info, match.resources}, request);
}

bool excludes(const MatchResources& exclude, const AdmissionRequest& request) {
  if (exclude.empty()) return false;
  if (!exclude.any.empty()) {
    return std::any_of(exclude.any.begin(), exclude.any.end(),
                       [&](const ResourceFilter& filter) { return filter_excludes(filter, request); });
  }
  if (!exclude.all.empty()) {
    return std::all_of(exclude.all.begin(), exclude.all.end(),
                       [&](const ResourceFilter& filter) { return filter_excludes(filter, request); });
  }
  return filter_excludes(ResourceFilter{exclude.user_info, exclude.resources}, request);
}

std::vector<std::string> autogen_kinds(const Policy& policy) {
  bool needed = false;
  for (const auto& rule : policy.rules) {
    if (!supports_autogen(rule.match, needed)) return {};
    if (rule.exclude && !supports_autogen(*rule.exclude, needed)) return {};
  }
  if (!needed) return {};
  std::vector<std::string> kinds;
  for (const auto& controller : policy.autogen_controllers) {
    if (controller == "all") {
      return {"DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController", "CronJob"};
    }
    if (controller != "none") kinds.push_back(controller);
  }
  return kinds;
}

std::optional<GeneratedMatch> autogen_match(const Policy& policy, const Rule& rule, std::string_view controller) {
  if (rule.name.starts_with("autogen-")) return std::nullopt;
  if (!contains_kind(all_kinds(rule.match), "Pod")) return std::nullopt;
  if (rule.exclude) {
    const auto excluded_kinds = all_kinds(*rule.exclude);
    if (!excluded_kinds.empty() && !contains_kind(excluded_kinds, "Pod")) return std::nullopt;
  }
  const auto controllers = autogen_kinds(policy);
  if (!contains(controllers, controller)) return std::nullopt;

  // The controllers other than CronJob share one generated rule; Kyverno keeps only those it knows.
  static const std::array<std::string_view, 6> kTemplated = {"DaemonSet",   "Deployment", "Job",
                                                             "StatefulSet", "ReplicaSet", "ReplicationController"};
  std::vector<std::string> templated;
  for (const auto& c : controllers) {
    if (std::find(kTemplated.begin(), kTemplated.end(), c) != kTemplated.end()) templated.push_back(controller_gvk(c));
  }
  std::sort(templated.begin(), templated.end());
  const GeneratedMatch original{rule.match, rule.exclude};
  if (controller != "CronJob") {
    if (templated.empty()) return std::nullopt;
    return generate(original, templated, false);
  }
  // The CronJob rule is derived from the controllers' rule (or from the rule itself when CronJob is the
  // only controller named), with every filter's kinds replaced.
  const GeneratedMatch base =
      generate(original, templated.empty() ? std::vector<std::string>{controller_gvk("CronJob")} : templated, false);
  return generate(base, {controller_gvk("CronJob")}, true);
}

bool rule_applies(const Policy& policy, const Rule& rule, const AdmissionRequest& request) {
  if (request.operation == "DELETE" || request.operation == "CONNECT") return false;
  if (policy.kind == PolicyKind::Policy && policy.namespace_name != request.namespace_name) return false;
  if (applies(rule.match, rule.exclude, request)) return true;
  if (request.kind == "Pod") return false;
  const auto generated = autogen_match(policy, rule, request.kind);
  return generated && applies(generated->match, generated->exclude, request);
}

}  // namespace signet::policy
