// Kyverno's validate.manifests for one admitted object: the signed YAML documents and their signatures
// read from the object's annotations (k8s-manifest-sigstore's format), the object matched against the
// documents of its kind with the ignored fields masked, and the signatures checked against the rule's
// attestor sets and counts.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "oci/registry.hpp"
#include "policy/jmespath/json_value.hpp"
#include "policy/manifests/dry_run.hpp"
#include "policy/model.hpp"

namespace signet::policy::manifest {

struct Verdict {
  enum class Status { Pass, Fail, Error };
  Status status = Status::Fail;
  std::string message;  // why it failed; "" on pass
};

// Verifies `object` (the admitted resource as JSON) against `rule`. Missing, unsigned, altered or
// wrongly signed manifests fail; a signature only a keyless verifier could check is an error naming
// what signet does not support yet. Without I/O: a rule with dryRun whose object differs from its
// signed manifest is an error (the dry-run that could explain the difference was not made).
Verdict verify(const ManifestValidation& rule, const json::Value& object);

// The same, and for a rule with dryRun whose object differs from a validly signed manifest, the manifest
// created by `dry_runner` (by `deadline`) is compared instead; a failed dry-run is an error naming why.
// Only a manifest whose signatures verify is ever sent to the API server.
boost::asio::awaitable<Verdict> verify(const ManifestValidation& rule, const json::Value& object,
                                       DryRunner& dry_runner, oci::Deadline deadline);

}  // namespace signet::policy::manifest
