// The admission.k8s.io/v1 AdmissionReview wire format: decoding a request, encoding a response.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.hpp"
#include "policy/admission.hpp"
#include "policy/engine.hpp"

namespace signet::server {

struct AdmissionReview {
  std::string api_version;  // echoed in the response
  std::string uid;
  policy::AdmissionRequest request;
  std::vector<policy::ImageUse> images;      // of request.object
  std::vector<policy::ImageUse> old_images;  // of request.oldObject (UPDATE)
};

// Errors name what is wrong ("request.uid is missing", "apiVersion must be admission.k8s.io/v1, not …").
// `with_json` also keeps the whole request as JSON (AdmissionRequest::json), which only some policies read.
Result<AdmissionReview> decode_admission_review(std::string_view body, bool with_json = true);

// The response review: uid, allowed, status message on deny, warnings, audit annotations and, for
// /mutate, the JSONPatch (base64, patchType JSONPatch) when there is one.
std::string encode_admission_response(const AdmissionReview& review, const policy::Decision& decision);

// RFC 6902 JSON text of the patch operations.
std::string encode_json_patch(const std::vector<policy::PatchOperation>& patch);

}  // namespace signet::server
