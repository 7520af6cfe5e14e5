// The sigstore trust material signatures are checked against: one trusted root for the process (sigstore's
// public-good root unless `--trusted-root` replaces it), with the parts a policy attestor overrides
// (keyless.roots, rekor.pubkey, ctlog.pubkey, ctlog.tsaCertChain) replaced for that attestor alone.
#pragma once

#include <memory>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/trusted_root.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// Replaces the process's trusted root (thread-safe; verifications in flight keep the one they started with).
void set_trusted_root(std::shared_ptr<const crypto::TrustedRoot> root);
// The process's trusted root: the last one set, or the embedded public-good root.
std::shared_ptr<const crypto::TrustedRoot> trusted_root();

// `base` with an attestor's overrides: `roots` (when not empty) become the only Fulcio CA, rekor.pubkey
// the only Rekor log, ctlog.pubkey the only CT log, ctlog.tsaCertChain the only TSA; each valid forever.
crypto::TrustedRoot with_overrides(const crypto::TrustedRoot& base, const std::vector<crypto::Certificate>& roots,
                                   const Rekor& rekor, const CTLog& ctlog);

}  // namespace signet::policy
