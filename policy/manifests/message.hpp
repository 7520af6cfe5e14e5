// The `message` annotation of sigstore's k8s-manifest-sigstore format: base64 of gzip-compressed bytes,
// which are either the signed YAML itself or a gzip-compressed tar of YAML files (what `kubectl sigstore
// sign` writes). The signature covers the bytes once the outer gzip is undone. Every step is bounded:
// hostile input is an error, never a crash or unbounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"

namespace signet::policy::manifest {

// Decompressed bytes allowed at each gzip step and in total: far above any real manifest, and a gzip
// bomb stops here.
inline constexpr std::size_t kMaxMessageBytes = 8 * 1024 * 1024;
// Files in a tar message and YAML documents in all of them.
inline constexpr std::size_t kMaxDocuments = 1000;

struct Message {
  std::string signed_bytes;             // base64-decoded and gunzipped once: what the signatures cover
  std::vector<std::string> yaml_files;  // the YAML texts (one for a plain message, one per tar entry)
};

// Decodes the annotation's value. Errors name the step that failed ("message annotation: not base64: …").
Result<Message> decode_message(std::string_view annotation, std::size_t max_bytes = kMaxMessageBytes);

// The documents of a YAML stream, split at the lines that start with a document marker ("---" alone or
// followed by a space): each is then read with YAML::Load. yaml-cpp 0.7's LoadAll never returns on some
// inputs (a lone ","), and these bytes come from whoever creates the object. At most `max_documents`
// (more is an error); pieces holding only blanks and comments are dropped.
Result<std::vector<std::string>> split_documents(std::string_view yaml, std::size_t max_documents = kMaxDocuments);

// base64(gzip(yaml)): the single-file form, as signet sign-manifest writes it.
std::string encode_message(std::string_view yaml);

bool is_gzip(std::string_view bytes);
// Inflates a gzip stream (several members allowed), refusing output over `max_bytes`.
Result<std::string> gunzip(std::string_view compressed, std::size_t max_bytes);
std::string gzip(std::string_view bytes);
// The contents of the regular files of a POSIX/GNU tar archive, in order.
Result<std::vector<std::string>> tar_files(std::string_view archive, std::size_t max_files = kMaxDocuments);

}  // namespace signet::policy::manifest
