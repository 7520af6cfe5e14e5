#include "policy/loader/document.hpp"

#include "policy/jmespath/jmespath.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "policy/loader/context.hpp"
#include "policy/loader/kinds.hpp"
#include "policy/loader/manifests.hpp"
#include "policy/loader/match.hpp"
#include "policy/loader/verify_images.hpp"

namespace signet::policy::loader {

namespace {

constexpr std::string_view kAutogenAnnotation = "pod-policies.kyverno.io/autogen-controllers";
constexpr std::array<std::string_view, 7> kPodControllers = {
    "DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController", "CronJob"};

// A Kubernetes object name (RFC 1123 subdomain), at most 63 characters as Kyverno requires.
bool is_policy_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto ok = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
           c == '.';
  };
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
  };
  return std::all_of(name.begin(), name.end(), ok) && alnum(name.front()) && alnum(name.back());
}

std::string trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::vector<std::string> autogen_controllers(const Field& annotations_field,
                                             const std::map<std::string, std::string>& annotations) {
  auto it = annotations.find(std::string(kAutogenAnnotation));
  if (it == annotations.end()) return {kPodControllers.begin(), kPodControllers.end()};
  if (it->second == "none") return {};
  if (it->second == "all") {
    annotations_field.refuse(std::string(kAutogenAnnotation) +
                             ": 'all' is no longer accepted by Kyverno; remove the annotation or list controllers");
    return {};
  }
  std::vector<std::string> controllers;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string name = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (std::find(kPodControllers.begin(), kPodControllers.end(), name) == kPodControllers.end()) {
      annotations_field.refuse(std::string(kAutogenAnnotation) + ": unknown controller \"" + name +
                               "\" (expected none, or some of DaemonSet, Deployment, Job, StatefulSet, "
                               "ReplicaSet, ReplicationController, CronJob)");
      return {};
    }
    controllers.push_back(name);
  }
  return controllers;
}

void parse_metadata(const Field& field, Policy& policy) {
  if (!field.present()) {
    field.refuse("metadata is required: a policy needs metadata.name");
    return;
  }
  // ObjectMeta: the fields the API server fills in are accepted and ignored.
  if (!field.check_fields({{"name"},
                           {"namespace"},
                           {"labels"},
                           {"annotations"},
                           {"generateName", Support::Inert},
                           {"uid", Support::Inert},
                           {"resourceVersion", Support::Inert},
                           {"generation", Support::Inert},
                           {"creationTimestamp", Support::Inert},
                           {"deletionTimestamp", Support::Inert},
                           {"deletionGracePeriodSeconds", Support::Inert},
                           {"ownerReferences", Support::Inert},
                           {"finalizers", Support::Inert},
                           {"managedFields", Support::Inert},
                           {"selfLink", Support::Inert}})) {
    return;
  }
  policy.name = field["name"].string();
  if (policy.name.empty()) {
    (field["name"].present() ? field["name"] : field).refuse("metadata.name is required");
  } else if (!is_policy_name(policy.name)) {
    field["name"].refuse(
        "metadata.name must be a lowercase DNS name of at most 63 characters (a-z, 0-9, '-', '.'), got \"" +
        policy.name + "\"");
  }
  policy.namespace_name = field["namespace"].string();
  if (policy.kind == PolicyKind::ClusterPolicy && !policy.namespace_name.empty()) {
    field["namespace"].refuse("a cluster-wide policy cannot have a namespace");
  } else if (policy.kind == PolicyKind::Policy && policy.namespace_name.empty()) {
    (field["namespace"].present() ? field["namespace"] : field)
        .refuse("metadata.namespace is required: a Policy applies only in its namespace");
  } else if (policy.kind == PolicyKind::Policy && !is_policy_name(policy.namespace_name)) {
    field["namespace"].refuse("metadata.namespace must be a namespace name, got \"" + policy.namespace_name + "\"");
  }
  policy.labels = field["labels"].string_map();
  policy.annotations = field["annotations"].string_map();
  policy.autogen_controllers = autogen_controllers(field["annotations"], policy.annotations);
}

std::optional<int> parse_timeout(const Field& field) {
  auto seconds = field.integer();
  if (!seconds) return std::nullopt;
  if (*seconds < 1 || *seconds > 30) {
    field.refuse("the timeout must be between 1 and 30 seconds, got " + std::to_string(*seconds));
    return std::nullopt;
  }
  return static_cast<int>(*seconds);
}

std::optional<FailurePolicy> parse_failure_policy(const Field& field) {
  if (!field.present()) return std::nullopt;
  std::string value = field.string();
  if (value == "Fail") return FailurePolicy::Fail;
  if (value == "Ignore") return FailurePolicy::Ignore;
  field.refuse("failurePolicy must be Fail or Ignore, got \"" + value + "\"");
  return std::nullopt;
}

// Kyverno's HasValidate / HasMutate / HasGenerate: present and not an empty object.
bool has_operation(const Field& field) { return field.present() && !field.empty_value(); }

bool is_version(std::string_view text) {
  if (text == "*") return true;
  if (text.size() < 2 || text[0] != 'v' || !std::isdigit(static_cast<unsigned char>(text[1]))) return false;
  std::size_t i = 1;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) return true;
  std::string_view rest = text.substr(i);
  for (std::string_view stage : {"alpha", "beta"}) {
    if (rest.starts_with(stage) && rest.size() > stage.size()) {
      rest.remove_prefix(stage.size());
      return std::all_of(rest.begin(), rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    }
  }
  return false;
}

// The kind a kind selector names, as Kyverno's GetKindFromGVK and SplitSubresource read it:
// "apps/v1/Deployment" → "Deployment", "Pod/status" and "Pod.status" → "Pod".
std::string kind_name(std::string_view selector) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = selector.find('/', start);
    parts.emplace_back(
        selector.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  auto subresource_form = [](std::string text) {
    auto dot = text.find('.');
    if (dot != std::string::npos) text[dot] = '/';
    return text;
  };
  std::string kind;
  switch (parts.size()) {
    case 1:
      kind = subresource_form(parts[0]);
      break;
    case 2:
      kind = is_version(parts[0]) ? subresource_form(parts[1]) : parts[0] + "/" + parts[1];
      break;
    case 3:
      kind = is_version(parts[0]) ? parts[1] + "/" + parts[2] : subresource_form(parts[2]);
      break;
    case 4:
      kind = parts[2] + "/" + parts[3];
      break;
    default:
      return "";
  }
  if (std::count(kind.begin(), kind.end(), '/') == 1) kind = kind.substr(0, kind.find('/'));
  return kind;
}

// Kyverno's checkAutogenSupport on a rule's raw match or exclude block.
bool block_allows_autogen(const Field& block) {
  std::vector<Field> descriptions = {block["resources"]};
  for (const char* list : {"any", "all"}) {
    if (!block[list].is_sequence()) continue;
    for (const Field& item : block[list].items()) descriptions.push_back(item["resources"]);
  }
  for (const Field& resources : descriptions) {
    if (!resources.is_map()) continue;
    if (!resources["name"].empty_value() || !resources["names"].empty_value() || resources["selector"].present() ||
        resources["annotations"].present()) {
      return false;
    }
    std::vector<std::string> kinds;
    if (resources["kinds"].is_sequence()) {
      for (const Field& kind : resources["kinds"].items()) {
        if (kind.is_scalar()) kinds.push_back(kind.node().Scalar());
      }
    }
    bool has_pod = std::any_of(kinds.begin(), kinds.end(), [](const std::string& k) { return kind_name(k) == "Pod"; });
    if (kinds.size() > 1 && has_pod) return false;
  }
  return true;
}

// Whether a rule signet drops would keep Kyverno from generating pod-controller rules for the whole
// policy (its CanAutoGen looks at every rule): generate rules, JSON 6902 patches, and match or exclude
// blocks naming resources or mixing Pod with other kinds. Read leniently: a dropped rule is not refused.
bool dropped_rule_blocks_autogen(const Field& rule_field) {
  Problems ignored;
  const Field rule = Field::root(rule_field.node(), 0, ignored);
  if (has_operation(rule["generate"])) return true;
  const Field mutate = rule["mutate"];
  if (!mutate["patchesJson6902"].empty_value()) return true;
  if (mutate["foreach"].is_sequence()) {
    for (const Field& item : mutate["foreach"].items()) {
      if (!item["patchesJson6902"].empty_value()) return true;
    }
  }
  return !block_allows_autogen(rule["match"]) || !block_allows_autogen(rule["exclude"]);
}

// rule.imageExtractors: kind → list of {path, value, name, key, jmesPath}, read as Kyverno's
// lookupImageExtractor reads them.
std::map<std::string, std::vector<ImageExtractor>> parse_image_extractors(const Field& field) {
  std::map<std::string, std::vector<ImageExtractor>> out;
  for (const auto& [kind, list] : field.entries()) {
    for (const Field& item : list.items()) {
      if (!item.expect_map() || !item.check_fields({{"path"}, {"value"}, {"name"}, {"key"}, {"jmesPath"}})) continue;
      ImageExtractor extractor;
      const std::string path = item["path"].string();
      std::string segment;
      for (std::size_t i = 0; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') {
          if (const auto b = segment.find_first_not_of(' '); b != std::string::npos)
            extractor.fields.push_back(segment.substr(b, segment.find_last_not_of(' ') - b + 1));
          segment.clear();
        } else {
          segment += path[i];
        }
      }
      extractor.value = item["value"].string();
      if (extractor.value.empty()) {
        if (extractor.fields.empty()) {
          item["path"].refuse("path is required: the slash-separated path to the image field");
          continue;
        }
        extractor.value = extractor.fields.back();
        extractor.fields.pop_back();
      }
      extractor.name = item["name"].string("custom");
      if (extractor.name.empty()) extractor.name = "custom";
      extractor.key = item["key"].string();
      extractor.jmes_path = item["jmesPath"].string();
      if (!extractor.jmes_path.empty()) {
        if (auto compiled = jmespath::compile(extractor.jmes_path); !compiled) {
          item["jmesPath"].refuse(compiled.error().message);
          continue;
        }
      }
      out[kind].push_back(std::move(extractor));
    }
  }
  return out;
}

std::optional<Rule> parse_rule(const Field& field, const SchemaContext& context, const Policy& policy,
                               std::vector<std::string>& notes) {
  if (!field.check_fields({{"name"},
                           {"context"},
                           {"reportProperties", Support::Inert},
                           {"match"},
                           {"exclude"},
                           {"imageExtractors"},
                           {"preconditions"},
                           {"celPreconditions"},
                           {"mutate"},
                           {"validate"},
                           {"generate"},
                           {"verifyImages"},
                           {"skipBackgroundRequests"}})) {
    return std::nullopt;
  }
  Rule rule;
  rule.name = field["name"].string();
  if (rule.name.empty()) {
    (field["name"].present() ? field["name"] : field).refuse("name is required: every rule needs a name");
    return std::nullopt;
  }
  if (rule.name.size() > 63) field["name"].refuse("a rule name has at most 63 characters");
  field["reportProperties"].string_map();
  rule.skip_background_requests = field["skipBackgroundRequests"].boolean(true);

  bool verify = has_operation(field["verifyImages"]);
  int operations = (verify ? 1 : 0) + (has_operation(field["validate"]) ? 1 : 0) +
                   (has_operation(field["mutate"]) ? 1 : 0) + (has_operation(field["generate"]) ? 1 : 0);
  if (operations == 0) {
    field.refuse("rule " + rule.name + " defines no operation (verifyImages, validate, mutate or generate)");
    return std::nullopt;
  }
  if (operations > 1) {
    field.refuse("rule " + rule.name + " defines more than one of verifyImages, validate, mutate and generate");
    return std::nullopt;
  }
  const bool manifests = !verify && has_operation(field["validate"]) && field["validate"]["manifests"].present();
  if (!verify) {
    if (field["imageExtractors"].present()) {
      field["imageExtractors"].refuse("imageExtractors can only be used by verifyImages rules");
      return std::nullopt;
    }
  }
  if (!verify && !manifests) {
    {
      std::string kind = has_operation(field["validate"]) ? "validate"
                         : has_operation(field["mutate"]) ? "mutate"
                                                          : "generate";
      notes.push_back("rule " + rule.name + ": " + kind + " rules are not evaluated by signet; skipped");
    }
    return std::nullopt;
  }

  for (std::string_view name : {"preconditions", "celPreconditions"}) {
    const Field sub = field[name];
    if (!sub.empty_value()) {
      sub.unsupported("rule conditions");
      return std::nullopt;
    }
  }
  const RuleContext rule_context = RuleContext::parse(field["context"], policy, context.keys);
  if (field.problems().any()) return std::nullopt;
  rule.context = rule_context.entries();
  rule.context_values = rule_context.values();
  rule.image_extractors = parse_image_extractors(field["imageExtractors"]);
  if (!field["match"].present()) {
    field.refuse("match is required: say which resources rule " + rule.name + " applies to");
    return std::nullopt;
  }
  rule.match = parse_match_resources(field["match"], context, true);
  if (field["exclude"].present()) {
    rule.exclude = parse_match_resources(field["exclude"], context, false);
    if (!field.problems().any() && excludes_everything(rule.match, *rule.exclude)) {
      field["exclude"].refuse("the rule matches nothing: exclude.any repeats a filter of match.any");
    }
  }
  if (manifests) {
    rule.manifests = parse_manifest_validation(field["validate"], context.keys, &rule_context, context.dry_run);
    return rule;
  }
  for (const Field& item : field["verifyImages"].items()) {
    if (!item.expect_map()) continue;
    rule.verify_images.push_back(
        parse_image_verification(item, context, rule_context, policy.validation_failure_action));
  }
  return rule;
}

void parse_webhook_configuration(const Field& spec, Policy& policy) {
  const Field field = spec["webhookConfiguration"];
  if (!field.check_fields({{"failurePolicy"},
                           {"timeoutSeconds"},
                           {"matchConditions", Support::UnsupportedUnlessEmpty, "webhook match conditions"}})) {
    return;
  }
  if (auto failure = parse_failure_policy(field["failurePolicy"])) {
    if (spec["failurePolicy"].present()) {
      spec["failurePolicy"].refuse("remove the deprecated failurePolicy; webhookConfiguration.failurePolicy is set");
    }
    policy.failure_policy = *failure;
  }
  if (auto timeout = parse_timeout(field["timeoutSeconds"])) {
    if (spec["webhookTimeoutSeconds"].present()) {
      spec["webhookTimeoutSeconds"].refuse(
          "remove the deprecated webhookTimeoutSeconds; webhookConfiguration.timeoutSeconds is set");
    }
    policy.webhook_timeout_seconds = timeout;
  }
}

void parse_spec(const Field& spec, const SchemaContext& context, Policy& policy, std::vector<std::string>& notes) {
  if (!spec.present()) {
    spec.refuse("spec is required");
    return;
  }
  if (!spec.check_fields(
          {{"rules"},
           {"applyRules"},
           {"failurePolicy"},
           {"validationFailureAction"},
           {"validationFailureActionOverrides", Support::UnsupportedUnlessEmpty, "per-namespace failure actions"},
           {"emitWarning"},
           {"admission"},
           {"background"},
           {"schemaValidation", Support::Inert},
           {"webhookTimeoutSeconds"},
           {"mutateExistingOnPolicyUpdate", Support::Inert},
           {"generateExistingOnPolicyUpdate"},
           {"generateExisting", Support::Inert},
           {"useServerSideApply", Support::Inert},
           {"webhookConfiguration"}})) {
    return;
  }
  if (spec["generateExistingOnPolicyUpdate"].present()) {
    spec["generateExistingOnPolicyUpdate"].refuse(
        "remove the deprecated generateExistingOnPolicyUpdate (Kyverno refuses it)");
    return;
  }
  if (spec["applyRules"].present()) {
    std::string apply = spec["applyRules"].string();
    if (apply == "One") {
      spec["applyRules"].refuse("applyRules One is not supported by signet yet (every rule is applied)");
    } else if (apply != "All") {
      spec["applyRules"].refuse("applyRules must be All or One, got \"" + apply + "\"");
    }
  }
  if (spec["validationFailureAction"].present()) {
    std::string action = spec["validationFailureAction"].string();
    if (auto parsed = parse_failure_action(action)) {
      policy.validation_failure_action = *parsed;
    } else {
      spec["validationFailureAction"].refuse("validationFailureAction must be Enforce or Audit, got \"" + action +
                                             "\"");
    }
  }
  if (auto failure = parse_failure_policy(spec["failurePolicy"])) policy.failure_policy = *failure;
  policy.webhook_timeout_seconds = parse_timeout(spec["webhookTimeoutSeconds"]);
  parse_webhook_configuration(spec, policy);
  policy.emit_warning = spec["emitWarning"].boolean(false);
  policy.admission = spec["admission"].boolean(true);
  policy.background = spec["background"].boolean(true);
  if (!policy.admission && !policy.background) {
    spec.refuse("admission and background cannot both be false");
  }

  std::set<std::string> names;
  bool verify_rules = false;
  for (const Field& item : spec["rules"].items()) {
    if (!item.expect_map()) continue;
    std::string name = item["name"].is_scalar() ? item["name"].node().Scalar() : "";
    if (!name.empty() && !names.insert(name).second) {
      item["name"].refuse("duplicate rule name \"" + name + "\"");
      return;
    }
    bool verify = has_operation(item["verifyImages"]);
    verify_rules = verify_rules || verify;
    if (!verify && dropped_rule_blocks_autogen(item)) policy.autogen_controllers.clear();
    if (auto rule = parse_rule(item, context, policy, notes)) policy.rules.push_back(std::move(*rule));
  }
  if (!policy.admission && verify_rules) {
    spec["admission"].refuse("admission cannot be false in a policy with verifyImages rules");
  }
}

}  // namespace

DocumentOutcome parse_document(const YAML::Node& root_node, int line_offset, ClusterObjects* keys,
                               const DryRunSettings* dry_run) {
  DocumentOutcome outcome;
  Problems problems;
  const Field root = Field::root(root_node, line_offset, problems);
  if (!root.is_map()) {
    outcome.problem = FieldProblem{"", root.line(), refusal_reason(DocumentRole::Unknown, "", "", "")};
    outcome.refused_kind = true;
    return outcome;
  }
  std::string api_version = root["apiVersion"].is_scalar() ? root["apiVersion"].node().Scalar() : "";
  std::string kind = root["kind"].is_scalar() ? root["kind"].node().Scalar() : "";
  const Field name_field = root["metadata"]["name"];
  std::string name = name_field.is_scalar() ? name_field.node().Scalar() : "";
  outcome.subject = kind + (name.empty() ? "" : " " + name);
  outcome.name_line = name_field.line();

  const DocumentKind document_kind = classify_document(api_version, kind);
  const std::string what = api_version + " " + kind + (name.empty() ? "" : " " + name);
  switch (document_kind.role) {
    case DocumentRole::Read:
      break;
    case DocumentRole::Skipped:
      outcome.notes.push_back(what + " cannot verify images; skipped");
      return outcome;
    case DocumentRole::NotEnforced:
    case DocumentRole::WrongVersion:
    case DocumentRole::Unknown: {
      const char* const name_of_field = document_kind.role == DocumentRole::WrongVersion ? "apiVersion" : "kind";
      const Field field = root[name_of_field].present() ? root[name_of_field] : root;
      outcome.problem =
          FieldProblem{field.path(), field.line(), refusal_reason(document_kind.role, what, api_version, kind)};
      // A kind signet reads under a wrong version is a mistake to fix, never one to skip.
      outcome.refused_kind = document_kind.role != DocumentRole::WrongVersion;
      return outcome;
    }
  }

  Policy policy;
  policy.kind = document_kind.policy_kind;
  SchemaContext context{document_kind.v1, policy.kind == PolicyKind::Policy, keys, dry_run};
  if (root.check_fields({{"apiVersion"}, {"kind"}, {"metadata"}, {"spec"}, {"status", Support::Inert}})) {
    parse_metadata(root["metadata"], policy);
    if (!problems.any()) parse_spec(root["spec"], context, policy, outcome.notes);
  }
  if (problems.any()) {
    outcome.problem = problems.first();
  } else {
    outcome.policy = std::move(policy);
  }
  return outcome;
}

}  // namespace signet::policy::loader
