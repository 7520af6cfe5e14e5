// dryRun for signed manifests, as k8s-manifest-sigstore's dryrunCreateMatch does it: when the admitted
// object differs from its signed manifest, the API server creates the signed manifest with dryRun=All (its
// defaults and the mutating webhooks' changes applied, nothing stored) and that answer is compared with
// the admitted object instead. policy/ says what it needs; server/kube talks to the API.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "crypto/result.hpp"
#include "oci/registry.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy {

class DryRunner {
 public:
  virtual ~DryRunner() = default;

  // `object` (with apiVersion and kind) created with dryRun=All in `namespace_name` ("" for a
  // cluster-scoped kind), answered by `deadline`: the object as the API server would have stored it. Errors
  // name the kind, the namespace and what to fix (an unknown kind, a missing RBAC rule, an invalid object).
  virtual boost::asio::awaitable<Result<json::Value>> create(const json::Value& object,
                                                             const std::string& namespace_name,
                                                             oci::Deadline deadline) = 0;
};

namespace manifest {

// The signed document as it is sent for the dry-run: without its namespace (the dry-run namespace is on the
// URL) and renamed, so that it never collides with the real object: "<name>-dry-run", and for a
// CustomResourceDefinition "sim<name>" with "Sim"/"sim" before its spec.names (its name must stay
// "<plural>.<group>").
json::Value dry_run_object(const json::Value& signed_document);

// The API server's answer with the renaming undone and the signed document's namespace put back (none if
// it had none), so the comparison with the admitted object still covers the name and the namespace.
json::Value as_signed(const json::Value& answer, const json::Value& signed_document);

}  // namespace manifest
}  // namespace signet::policy
