// Kyverno's validate.manifests for one admitted object: the signed YAML documents and their signatures
// read from the object's annotations (k8s-manifest-sigstore's format), the object matched against the
// documents of its kind with the ignored fields masked, and the signatures checked against the rule's
// attestor sets and counts.
#pragma once

#include <string>

#include "policy/json_value.hpp"
#include "policy/model.hpp"

namespace signet::policy::manifest {

struct Verdict {
  enum class Status { Pass, Fail, Error };
  Status status = Status::Fail;
  std::string message;  // why it failed; "" on pass
};

// Verifies `object` (the admitted resource as JSON) against `rule`. Missing, unsigned, altered or
// wrongly signed manifests fail; a signature only a keyless verifier could check is an error naming
// what signet does not support yet.
Verdict verify(const ManifestValidation& rule, const json::Value& object);

}  // namespace signet::policy::manifest
