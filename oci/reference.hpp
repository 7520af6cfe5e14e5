// Image references, parsed and normalised as the distribution reference grammar does.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace signet::oci {

struct Reference {
  std::string registry;    // "docker.io", "ghcr.io", "127.0.0.1:5000" (never "index.docker.io")
  std::string repository;  // "library/nginx", "team/app"
  std::string tag;         // "" when absent; "latest" is NOT filled in when a digest is given
  std::string digest;      // "sha256:<64 hex>" or ""

  // registry/repository, e.g. "docker.io/library/nginx": what policies' imageReferences match.
  std::string name() const;
  // The canonical full form: name[:tag][@digest].
  std::string str() const;
  // The host to talk to: "registry-1.docker.io" for docker.io, else registry.
  std::string api_host() const;
  // The same repository pinned to a digest (keeps the tag, as Kyverno's mutateDigest does).
  Reference with_digest(std::string digest) const;

  bool operator==(const Reference&) const = default;
};

// Parses "nginx", "nginx:1.25", "ghcr.io/a/b@sha256:…", "localhost:5000/x:y@sha256:…". A reference with
// neither tag nor digest gets tag "latest". Errors name what is wrong ("invalid digest", "uppercase
// repository name", ...).
Result<Reference> parse_reference(std::string_view text);

// Checks that `digest` is "<algorithm>:<hex>" for a supported algorithm (sha256, sha384, sha512) with the
// right number of lowercase hex digits, as digests in references are checked.
Result<void> check_digest_syntax(std::string_view digest);

}  // namespace signet::oci
