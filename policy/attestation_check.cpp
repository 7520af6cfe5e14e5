#include "policy/attestation_check.hpp"

#include <algorithm>

#include "oci/reference.hpp"
#include "policy/jmespath/variables.hpp"

namespace signet::policy {
namespace {

// Kyverno's ImageInfo as its context holds it (images.<group>.<container>, and `image`).
json::Value image_info(const std::string& text, const oci::Reference& reference) {
  const std::string& repository = reference.repository;
  const std::size_t slash = repository.rfind('/');
  return json::Object{
      {"reference", json::Value(text)},
      {"referenceWithTag", json::Value(reference.name() + (reference.tag.empty() ? "" : ":" + reference.tag))},
      {"registry", json::Value(reference.registry)},
      {"path", json::Value(repository)},
      {"name", json::Value(slash == std::string::npos ? repository : repository.substr(slash + 1))},
      {"tag", json::Value(reference.tag)},
      {"digest", json::Value(reference.digest)},
  };
}

json::Value image_info(const std::string& image) {
  auto reference = oci::parse_reference(image);
  if (!reference) return json::Object{{"reference", json::Value(image)}};
  return image_info(image, *reference);
}

// `predicate`'s members laid over `variables`, as Kyverno adds the predicate to the context root.
json::Value with_predicate(const json::Value& variables, const json::Value& predicate) {
  json::Object merged = predicate.as_object();
  if (variables.is_object()) {
    for (const auto& [key, value] : variables.as_object()) {
      if (predicate.find(key) == nullptr) merged.emplace_back(key, value);
    }
  }
  return merged;
}

}  // namespace

json::Value request_variables(const AdmissionRequest& request, const std::vector<ImageUse>& images) {
  std::vector<std::pair<std::string, json::Object>> groups;
  for (const auto& use : images) {
    const std::string group = use.group.empty() ? "containers" : use.group;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == group; });
    if (it == groups.end()) it = groups.insert(groups.end(), {group, {}});
    it->second.emplace_back(use.container, image_info(use.image));
  }
  json::Object by_group;
  for (auto& [group, containers] : groups) by_group.emplace_back(group, json::Value(std::move(containers)));
  return json::Object{{"request", request.json}, {"images", json::Value(std::move(by_group))}};
}

StatementCheck statement_check(json::Value variables) {
  return [variables = std::move(variables)](const Attestation& attestation, const json::Value& statement,
                                            const oci::Reference& image) -> Result<void> {
    if (attestation.conditions.empty()) return success();
    const json::Value* predicate = statement.find("predicate");
    if (predicate == nullptr || !predicate->is_object()) {
      return Error::invalid("the attestation of type " + attestation.predicate_type + " has no predicate object");
    }
    json::Object base = variables.is_object() ? variables.as_object() : json::Object{};
    base.emplace_back("image", image_info(image.str(), image));
    // The rule's context entries, under their names (the loader refuses request and images as names).
    if (attestation.context.is_object()) {
      for (const auto& member : attestation.context.as_object()) {
        const bool taken =
            std::any_of(base.begin(), base.end(), [&](const auto& m) { return m.first == member.first; });
        if (!taken) base.push_back(member);
      }
    }
    const json::Value context = with_predicate(base, *predicate);
    for (const auto& block : attestation.conditions) {
      ConditionBlock substituted;
      for (const auto& [from, to] :
           {std::pair{&block.any, &substituted.any}, std::pair{&block.all, &substituted.all}}) {
        for (const auto& condition : *from) {
          auto key = substitute_variables(condition.key, context);
          if (!key) return key.error().context("attestation of type " + attestation.predicate_type);
          auto value = substitute_variables(condition.value, context);
          if (!value) return value.error().context("attestation of type " + attestation.predicate_type);
          to->push_back({std::move(*key), condition.op, std::move(*value), condition.message});
        }
      }
      auto outcome = evaluate_conditions(substituted);
      if (!outcome) return outcome.error().context("attestation of type " + attestation.predicate_type);
      if (!outcome->passed) {
        return Error::invalid("attestation of type " + attestation.predicate_type +
                              " fails its conditions: " + outcome->reason);
      }
    }
    return success();
  };
}

}  // namespace signet::policy
