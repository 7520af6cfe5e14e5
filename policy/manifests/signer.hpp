// Signing manifests in k8s-manifest-sigstore's format (signet sign-manifest): the whole YAML file
// becomes the `message` (base64 of its gzip), signed with a PEM private key as cosign signs a blob, and
// every object of the file gets both annotations. The signed copy is written as YAML whose strings are
// quoted, so nothing changes type on the way.
#pragma once

#include <string>
#include <string_view>

#include "crypto/public_key.hpp"
#include "crypto/result.hpp"
#include "policy/jmespath/json_value.hpp"

namespace signet::policy::manifest {

// A signature over `bytes` (ECDSA: DER over its hash; RSA: PKCS#1 v1.5; Ed25519: over the bytes) with an
// unencrypted PEM private key ("PRIVATE KEY", "EC PRIVATE KEY" or "RSA PRIVATE KEY").
Result<std::string> sign_blob(std::string_view bytes, std::string_view private_key_pem,
                              crypto::HashAlgorithm hash = crypto::HashAlgorithm::Sha256);

// The signed copy of `yaml` (one or several documents). With `index` > 0 the signature goes to
// `signature_<index>` and the existing message must be the same file's (a second signer).
Result<std::string> sign_manifest(std::string_view yaml, std::string_view private_key_pem,
                                  std::string_view domain = "cosign.sigstore.dev", int index = 0);

// `value` as block-style YAML (strings double-quoted), for objects and lists of them.
std::string to_yaml(const json::Value& value);

}  // namespace signet::policy::manifest
