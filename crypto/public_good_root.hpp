// Sigstore's public-good trust material, embedded at build time from the TUF seed that @sigstore/tuf
// ships (test/support/sigstore/node_modules/@sigstore/tuf/seeds.json, installed by scripts/install-deps),
// so that signet starts without network.
#pragma once

#include <string_view>

namespace signet::crypto {

// The `trusted_root.json` target (protobuf-specs TrustedRoot): Fulcio, Rekor, CT logs and the TSA of
// https://tuf-repo-cdn.sigstore.dev. Pinned as shipped: the seed carries no targets metadata to check it
// against. Also declared in crypto/trusted_root.hpp.
std::string_view public_good_trusted_root_json();

// The TUF `root.json` of https://tuf-repo-cdn.sigstore.dev: where a TUF client refreshing the trusted
// root starts its root rotation chain. It may have expired; a client then updates from it (TUF 5.3.4).
std::string_view public_good_tuf_root_json();

}  // namespace signet::crypto
