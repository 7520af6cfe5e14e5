// Kyverno's attestation conditions: each verified in-toto statement's predicate is laid over the
// request's variables, the conditions' {{ }} variables are substituted, and every condition block must
// hold (pkg/engine/internal/utils.go EvaluateConditions).
#pragma once

#include <vector>

#include "policy/admission.hpp"
#include "policy/image_verifier.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

// The variables a policy sees for one admission: `request` (the AdmissionReview's request) and `images`
// (containers, initContainers, ephemeralContainers by container name: registry, path, name, tag,
// digest, reference), as Kyverno's context holds them.
json::Value request_variables(const AdmissionRequest& request, const std::vector<ImageUse>& images);

// The check of one statement against an attestation's conditions, with `variables` and `image` (the
// image verified, as Kyverno's ImageInfo) under the predicate.
// A failed block is an Invalid error naming the attestation's type and the condition that failed; a
// variable that cannot be substituted is an Invalid error naming it.
StatementCheck statement_check(json::Value variables);

}  // namespace signet::policy
