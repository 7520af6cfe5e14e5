// One entry of a rule's `verifyImages`: Kyverno's ImageVerification with its attestor sets, static keys,
// Rekor and CT log options, its deprecated short forms (`image`, `key`) converted as Kyverno converts
// them, public keys parsed once, and the fields signet does not honour yet refused by name.
#pragma once

#include "policy/loader/context.hpp"
#include "policy/loader/match.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/model.hpp"

namespace signet::policy::loader {

// `policy_action` is the policy's validationFailureAction, which an entry's failureAction overrides.
// One attestor set (count, entries of keys or nested sets), as verifyImages reads it; validate.manifests
// shares it.
AttestorSet parse_attestors(const Field& field, ClusterObjects* keys = nullptr);

// `rule_context` substitutes the variables of attestor fields; its values are seen by attestation conditions.
ImageVerification parse_image_verification(const Field& field, const SchemaContext& context,
                                           const RuleContext& rule_context, FailureAction policy_action);

}  // namespace signet::policy::loader
