#include <catch2/catch.hpp>

#include "policy/match.hpp"

using namespace signet::policy;

namespace {

AdmissionRequest request(std::string kind, std::string ns = "default", std::string name = "web") {
  AdmissionRequest r;
  r.operation = "CREATE";
  r.kind = std::move(kind);
  r.version = "v1";
  if (r.kind == "Deployment" || r.kind == "StatefulSet" || r.kind == "DaemonSet" || r.kind == "ReplicaSet")
    r.group = "apps";
  if (r.kind == "Job" || r.kind == "CronJob") r.group = "batch";
  r.namespace_name = std::move(ns);
  r.name = std::move(name);
  r.user.username = "alice";
  r.user.groups = {"system:authenticated", "dev-team"};
  return r;
}

MatchResources match_kinds(std::vector<std::string> kinds) {
  MatchResources m;
  m.resources.kinds = std::move(kinds);
  return m;
}

Rule rule_with(MatchResources match, std::optional<MatchResources> exclude = std::nullopt) {
  Rule rule;
  rule.name = "verify";
  rule.match = std::move(match);
  rule.exclude = std::move(exclude);
  rule.verify_images.emplace_back();
  return rule;
}

Policy policy_with(Rule rule) {
  Policy p;
  p.name = "check";
  p.autogen_controllers = {"DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController",
                           "CronJob"};
  p.rules.push_back(std::move(rule));
  return p;
}

bool applies(const MatchResources& match, const AdmissionRequest& r) {
  const Policy p = policy_with(rule_with(match));
  return rule_applies(p, p.rules[0], r);
}

}  // namespace

TEST_CASE("kind selectors are parsed as Kyverno parses them", "[policy][match]") {
  auto check = [](std::string_view text, std::string g, std::string v, std::string k, std::string s) {
    const auto sel = parse_kind_selector(text);
    CHECK(sel.group == g);
    CHECK(sel.version == v);
    CHECK(sel.kind == k);
    CHECK(sel.subresource == s);
  };
  check("Pod", "*", "*", "Pod", "");
  check("v1/Pod", "*", "v1", "Pod", "");
  check("apps/v1/Deployment", "apps", "v1", "Deployment", "");
  check("apps/v1beta1/Deployment", "apps", "v1beta1", "Deployment", "");
  check("Pod/status", "*", "*", "Pod", "status");
  check("Pod.status", "*", "*", "Pod", "status");
  check("v1/Pod/ephemeralcontainers", "*", "v1", "Pod", "ephemeralcontainers");
  check("apps/v1/Deployment/scale", "apps", "v1", "Deployment", "scale");
  check("*/*", "*", "*", "*", "*");
  check("*/scale", "*", "*", "*", "scale");
}

TEST_CASE("kinds match with their group and version", "[policy][match][kinds]") {
  CHECK(kind_matches({"Pod"}, request("Pod")));
  CHECK(kind_matches({"v1/Pod"}, request("Pod")));
  CHECK(kind_matches({"*"}, request("Deployment")));
  CHECK(kind_matches({"apps/v1/Deployment"}, request("Deployment")));
  CHECK(kind_matches({"apps/*/Deployment"}, request("Deployment")));
  CHECK(kind_matches({"Deploy*"}, request("Deployment")));
  CHECK_FALSE(kind_matches({"batch/v1/Deployment"}, request("Deployment")));
  CHECK_FALSE(kind_matches({"v2/Pod"}, request("Pod")));
  CHECK_FALSE(kind_matches({"Deployment"}, request("Pod")));
  CHECK_FALSE(kind_matches({"pod"}, request("Pod")));
}

TEST_CASE("subresources must be named, except a Pod's ephemeral containers", "[policy][match][kinds]") {
  auto status = request("Pod");
  status.subresource = "status";
  CHECK_FALSE(kind_matches({"Pod"}, status));
  CHECK(kind_matches({"Pod/status"}, status));
  auto ephemeral = request("Pod");
  ephemeral.subresource = "ephemeralcontainers";
  CHECK(kind_matches({"Pod"}, ephemeral));
}

TEST_CASE("names and namespaces take wildcards", "[policy][match]") {
  auto m = match_kinds({"Pod"});
  m.resources.names = {"web-*"};
  m.resources.namespaces = {"team-?", "prod"};
  CHECK(applies(m, request("Pod", "team-a", "web-1")));
  CHECK(applies(m, request("Pod", "prod", "web-")));
  CHECK_FALSE(applies(m, request("Pod", "team-ab", "web-1")));
  CHECK_FALSE(applies(m, request("Pod", "prod", "api-1")));
}

TEST_CASE("a Namespace object is matched by its own name against namespaces", "[policy][match]") {
  auto m = match_kinds({"Namespace"});
  m.resources.namespaces = {"team-*"};
  auto r = request("Namespace", "", "team-x");
  CHECK(matches(m, r));
  r.name = "other";
  CHECK_FALSE(matches(m, r));
}

TEST_CASE("operations restrict the match", "[policy][match]") {
  auto m = match_kinds({"Pod"});
  m.resources.operations = {"CREATE"};
  CHECK(applies(m, request("Pod")));
  auto update = request("Pod");
  update.operation = "UPDATE";
  CHECK_FALSE(applies(m, update));
}

TEST_CASE("DELETE and CONNECT never get image verification", "[policy][match]") {
  auto del = request("Pod");
  del.operation = "DELETE";
  CHECK_FALSE(applies(match_kinds({"Pod"}), del));
  auto connect = request("Pod");
  connect.operation = "CONNECT";
  CHECK_FALSE(applies(match_kinds({"Pod"}), connect));
}

TEST_CASE("label selectors: matchLabels with wildcards and every expression operator", "[policy][match][selector]") {
  const std::map<std::string, std::string> labels = {{"app", "web"}, {"tier", "frontend"}, {"team.io/owner", "a"}};
  LabelSelector s;
  s.match_labels = {{"app", "web"}};
  CHECK(selector_matches(s, labels));
  s.match_labels = {{"app", "api"}};
  CHECK_FALSE(selector_matches(s, labels));
  s.match_labels = {{"team.io/*", "?"}};
  CHECK(selector_matches(s, labels));
  s.match_labels = {{"app", "w*"}};
  CHECK(selector_matches(s, labels));
  s.match_labels = {{"app", "x*"}};
  CHECK_FALSE(selector_matches(s, labels));

  using Op = LabelSelectorRequirement::Operator;
  auto with = [](LabelSelectorRequirement req) {
    LabelSelector sel;
    sel.match_expressions.push_back(std::move(req));
    return sel;
  };
  CHECK(selector_matches(with({"tier", Op::In, {"frontend", "backend"}}), labels));
  CHECK_FALSE(selector_matches(with({"tier", Op::In, {"backend"}}), labels));
  CHECK_FALSE(selector_matches(with({"missing", Op::In, {"x"}}), labels));
  CHECK(selector_matches(with({"tier", Op::NotIn, {"backend"}}), labels));
  CHECK(selector_matches(with({"missing", Op::NotIn, {"x"}}), labels));
  CHECK_FALSE(selector_matches(with({"tier", Op::NotIn, {"frontend"}}), labels));
  CHECK(selector_matches(with({"app", Op::Exists, {}}), labels));
  CHECK_FALSE(selector_matches(with({"missing", Op::Exists, {}}), labels));
  CHECK(selector_matches(with({"missing", Op::DoesNotExist, {}}), labels));
  CHECK_FALSE(selector_matches(with({"app", Op::DoesNotExist, {}}), labels));
  CHECK(selector_matches(LabelSelector{}, labels));  // an empty selector selects everything
}

TEST_CASE("a selector in match uses the object's labels", "[policy][match][selector]") {
  auto m = match_kinds({"Pod"});
  m.resources.selector = LabelSelector{{{"signed", "true"}}, {}};
  auto r = request("Pod");
  CHECK_FALSE(matches(m, r));
  r.labels["signed"] = "true";
  CHECK(matches(m, r));
}

TEST_CASE("annotations in match take wildcards in keys and values", "[policy][match]") {
  auto m = match_kinds({"Pod"});
  m.resources.annotations = {{"policy.io/*", "strict"}};
  auto r = request("Pod");
  CHECK_FALSE(matches(m, r));
  r.annotations["policy.io/mode"] = "strict";
  CHECK(matches(m, r));
}

TEST_CASE("subjects match users, groups and service accounts with wildcards", "[policy][match][subjects]") {
  UserInfo alice{"alice", {"dev-team"}, {}, {}};
  UserInfo robot{"system:serviceaccount:ci:deployer", {"system:serviceaccounts"}, {}, {}};
  CHECK(subjects_match({{"User", "alice", "", ""}}, alice));
  CHECK(subjects_match({{"User", "ali*", "", ""}}, alice));
  CHECK_FALSE(subjects_match({{"User", "bob", "", ""}}, alice));
  CHECK(subjects_match({{"Group", "dev-*", "", ""}}, alice));
  CHECK_FALSE(subjects_match({{"Group", "ops", "", ""}}, alice));
  CHECK(subjects_match({{"ServiceAccount", "deployer", "ci", ""}}, robot));
  CHECK(subjects_match({{"ServiceAccount", "*", "ci", ""}}, robot));
  CHECK_FALSE(subjects_match({{"ServiceAccount", "deployer", "prod", ""}}, robot));
  CHECK_FALSE(subjects_match({{"ServiceAccount", "deployer", "ci", ""}}, alice));
}

TEST_CASE("subjects, roles and cluster roles in match must all hold", "[policy][match][subjects]") {
  MatchResources m = match_kinds({"Pod"});
  m.user_info.subjects = {{"Group", "dev-team", "", ""}};
  CHECK(matches(m, request("Pod")));
  m.user_info.roles = {"default:deployer"};
  CHECK_FALSE(matches(m, request("Pod")));  // the requester's roles are unknown or lack it
  auto r = request("Pod");
  r.user.roles = {"default:deployer"};
  CHECK(matches(m, r));
  m.user_info.cluster_roles = {"admin"};
  CHECK_FALSE(matches(m, r));
  r.user.cluster_roles = {"view", "admin"};
  CHECK(matches(m, r));
}

TEST_CASE("user filters are ignored when the request carries no user, as in Kyverno's CLI",
          "[policy][match][subjects]") {
  MatchResources m = match_kinds({"Pod"});
  m.user_info.subjects = {{"User", "bob", "", ""}};
  auto anonymous = request("Pod");
  anonymous.user = {};
  CHECK(matches(m, anonymous));
  CHECK_FALSE(matches(m, request("Pod")));
}

TEST_CASE("match any needs one filter, match all needs every filter", "[policy][match]") {
  ResourceFilter pods;
  pods.resources.kinds = {"Pod"};
  ResourceFilter prod;
  prod.resources.namespaces = {"prod"};
  MatchResources any;
  any.any = {pods, prod};
  MatchResources all;
  all.all = {pods, prod};
  CHECK(matches(any, request("Pod", "dev")));
  CHECK(matches(any, request("Service", "prod")));
  CHECK_FALSE(matches(any, request("Service", "dev")));
  CHECK(matches(all, request("Pod", "prod")));
  CHECK_FALSE(matches(all, request("Pod", "dev")));
}

TEST_CASE("an empty match selects nothing", "[policy][match]") {
  CHECK_FALSE(matches(MatchResources{}, request("Pod")));
}

TEST_CASE("exclude removes what it selects: legacy, any and all forms", "[policy][match][exclude]") {
  MatchResources system = match_kinds({"Pod"});
  system.resources.namespaces = {"kube-*"};
  CHECK(excludes(system, request("Pod", "kube-system")));
  CHECK_FALSE(excludes(system, request("Pod", "default")));

  ResourceFilter ns;
  ns.resources.namespaces = {"kube-system"};
  ResourceFilter admin;
  admin.user_info.subjects = {{"User", "admin", "", ""}};
  MatchResources any;
  any.any = {ns, admin};
  MatchResources all;
  all.all = {ns, admin};
  auto by_admin = request("Pod", "default");
  by_admin.user.username = "admin";
  CHECK(excludes(any, by_admin));
  CHECK_FALSE(excludes(all, by_admin));
  auto admin_in_system = by_admin;
  admin_in_system.namespace_name = "kube-system";
  CHECK(excludes(all, admin_in_system));
  CHECK_FALSE(excludes(MatchResources{}, request("Pod")));

  const Policy p = policy_with(rule_with(match_kinds({"Pod"}), system));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Pod", "kube-system")));
  CHECK(rule_applies(p, p.rules[0], request("Pod", "default")));
}

TEST_CASE("a namespaced Policy applies only in its own namespace", "[policy][match]") {
  Policy p = policy_with(rule_with(match_kinds({"Pod"})));
  p.kind = PolicyKind::Policy;
  p.namespace_name = "team-a";
  CHECK(rule_applies(p, p.rules[0], request("Pod", "team-a")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Pod", "team-b")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Deployment", "team-b")));
}

TEST_CASE("a Pod rule covers the pod templates of controllers (autogen)", "[policy][match][autogen]") {
  const Policy p = policy_with(rule_with(match_kinds({"Pod"})));
  for (const char* kind : {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}) {
    INFO(kind);
    CHECK(rule_applies(p, p.rules[0], request(kind)));
  }
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Service")));
  auto wrong_group = request("Deployment");
  wrong_group.group = "example.com";
  CHECK_FALSE(rule_applies(p, p.rules[0], wrong_group));
}

TEST_CASE("autogen keeps the rule's namespaces, operations and exclusions", "[policy][match][autogen]") {
  auto m = match_kinds({"Pod"});
  m.resources.namespaces = {"prod"};
  auto ex = match_kinds({"Pod"});
  ex.resources.namespaces = {"prod"};
  ex.user_info.subjects = {{"User", "admin", "", ""}};
  const Policy p = policy_with(rule_with(m, ex));
  CHECK(rule_applies(p, p.rules[0], request("Deployment", "prod")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Deployment", "dev")));
  auto by_admin = request("CronJob", "prod");
  by_admin.user.username = "admin";
  CHECK_FALSE(rule_applies(p, p.rules[0], by_admin));
}

TEST_CASE("the autogen-controllers annotation limits or disables autogen", "[policy][match][autogen]") {
  Policy p = policy_with(rule_with(match_kinds({"Pod"})));
  p.autogen_controllers = {"Deployment"};
  CHECK(rule_applies(p, p.rules[0], request("Deployment")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("StatefulSet")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("CronJob")));
  p.autogen_controllers = {"CronJob"};
  CHECK(rule_applies(p, p.rules[0], request("CronJob")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Deployment")));
  p.autogen_controllers = {};
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Deployment")));
  CHECK(rule_applies(p, p.rules[0], request("Pod")));
}

TEST_CASE("autogen is off when a rule selects by name, selector or mixes kinds", "[policy][match][autogen]") {
  auto named = match_kinds({"Pod"});
  named.resources.names = {"web-*"};
  Policy p = policy_with(rule_with(named));
  CHECK(autogen_kinds(p).empty());
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Deployment", "default", "web-1")));

  auto selected = match_kinds({"Pod"});
  selected.resources.selector = LabelSelector{{{"app", "web"}}, {}};
  p = policy_with(rule_with(selected));
  CHECK(autogen_kinds(p).empty());

  p = policy_with(rule_with(match_kinds({"Pod", "Deployment"})));
  CHECK(autogen_kinds(p).empty());
  CHECK(rule_applies(p, p.rules[0], request("Deployment")));  // named directly
  CHECK_FALSE(rule_applies(p, p.rules[0], request("StatefulSet")));
}

TEST_CASE("autogen rewrites only the any-filters that name Pod", "[policy][match][autogen]") {
  ResourceFilter pods;
  pods.resources.kinds = {"Pod"};
  pods.resources.namespaces = {"prod"};
  ResourceFilter services;
  services.resources.kinds = {"Service"};
  MatchResources m;
  m.any = {pods, services};
  const Policy p = policy_with(rule_with(m));
  CHECK(rule_applies(p, p.rules[0], request("Deployment", "prod")));
  CHECK_FALSE(rule_applies(p, p.rules[0], request("Deployment", "dev")));
  CHECK(rule_applies(p, p.rules[0], request("Service", "dev")));
}
