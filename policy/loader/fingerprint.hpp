// The verdict-cache fingerprint of a verifyImages entry: a sha256 over a canonical serialisation of
// everything in it that decides whether an image digest passes, so an edited policy never reuses a
// verdict reached under the old one.
#pragma once

#include <string>

#include "policy/model.hpp"

namespace signet::policy::loader {

// Lower-case hex. Covers type, image and skip references, repository, required, verifyDigest,
// cosignOCI11 and every attestor set (count, keys by their DER, signature algorithm, Rekor and CT log
// options, annotations, repositories, nested sets), all as resolved from the rule's context, and the
// context values attestation conditions see. Not useCache, mutateDigest, failureAction or
// validate.message, which change what is done with a verdict, not the verdict.
std::string fingerprint_of(const ImageVerification& verification);

}  // namespace signet::policy::loader
