// Which verifyImages entries cover an image: imageReferences / skipImageReferences are wildcard patterns
// over the image's full name. Kyverno matches one spelling, its ImageInfo.String(): the registry added
// ("docker.io/nginx:1.25") but no "library/", and the digest replacing the tag when both are given. A
// pattern written for another spelling of the same image must not miss it, so signet matches:
//   - imageReferences against Kyverno's spelling, the fully normalised ones (docker.io/library/nginx:1.25,
//     name:tag@digest) and the image as written: an entry covers more images, never fewer;
//   - skipImageReferences against Kyverno's spelling and the normalised ones only, not the short form
//     as written, so a skip pattern cannot exempt images its author did not mean.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oci/reference.hpp"
#include "policy/model.hpp"

namespace signet::policy {

struct ImageNames {
  std::string written;
  std::vector<std::string> canonical;  // Kyverno's spelling first
};

ImageNames image_names(std::string_view written, const oci::Reference& reference);
// For an image that does not parse: as written, and with Docker Hub's registry added as Kyverno would.
ImageNames unparsed_image_names(std::string_view written);

// Kyverno's ImageInfo.String() of the image as written.
std::string kyverno_image_name(std::string_view written, const oci::Reference& reference);

bool covers(const ImageVerification& entry, const ImageNames& names);
bool skips(const ImageVerification& entry, const ImageNames& names);

}  // namespace signet::policy
