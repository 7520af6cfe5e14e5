// Images in any resource, found by a rule's imageExtractors as Kyverno's ExtractImagesFromResource finds
// them: a path of fields with `*` expanding lists and maps, the image field, an optional key naming it, an
// optional JMESPath applied to the text (for "docker://…" and the like).
#pragma once

#include <vector>

#include "crypto/result.hpp"
#include "policy/admission.hpp"
#include "policy/jmespath/json_value.hpp"
#include "policy/model.hpp"

namespace signet::policy {

// The images `extractors` find in `object`, in document order. Empty or missing image fields are skipped,
// as Kyverno skips them; a path through something that is not an object, a key that is not a string, or a
// JMESPath that fails or yields no string is an Invalid error naming the path. An image transformed by a
// JMESPath has no JSON pointer (it cannot be pinned to a digest, as Kyverno says).
Result<std::vector<ImageUse>> extract_images(const json::Value& object, const std::vector<ImageExtractor>& extractors);

}  // namespace signet::policy
