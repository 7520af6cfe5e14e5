// Who a keyless signer must be: Kyverno's matchCertificateData over the signing certificate — `subject`
// (wildcards) or `subjectRegExp` against any SAN, `issuer` / `issuerRegExp` against the OIDC issuer, and
// `additionalExtensions` against Fulcio's certificate extensions.
#pragma once

#include <string_view>

#include "crypto/certificate.hpp"
#include "crypto/result.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// A Fulcio extension `additionalExtensions` may name: cosign's names (oidcIssuer, githubWorkflowTrigger,
// githubWorkflowSha, githubWorkflowName, githubWorkflowRepository, githubWorkflowRef), Fulcio's v2 names
// (issuer, buildSignerURI, sourceRepositoryURI, …) or a dotted OID under 1.3.6.1.4.1.57264.1.
bool is_fulcio_extension(std::string_view name);

// Invalid, naming what differs and what the certificate holds, unless `certificate` matches `keyless`.
Result<void> check_signer_identity(const crypto::Certificate& certificate, const KeylessAttestor& keyless);

}  // namespace signet::policy
