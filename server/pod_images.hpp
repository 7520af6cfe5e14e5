// The container images of a Kubernetes object: a Pod, or the pod template of a controller.
#pragma once

#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "crypto/result.hpp"
#include "policy/admission.hpp"

namespace signet::server {

// Where the pod spec sits in an object of `kind` ("Pod" → "/spec", "Deployment" →
// "/spec/template/spec", "CronJob" → "/spec/jobTemplate/spec/template/spec"); nullptr for kinds that
// hold no pod (their requests carry no images to verify).
const char* pod_spec_pointer(std::string_view kind);

// Every image of containers, initContainers and ephemeralContainers, with its JSON pointer. An object
// whose pod spec is malformed (containers not a list, an image not a string) is an error naming the field:
// never a silently empty list.
Result<std::vector<policy::ImageUse>> images_of(std::string_view kind, const rapidjson::Value& object);

// What the pod could pull its images with: spec.serviceAccountName and the names of spec.imagePullSecrets,
// set on `request` with has_pod_spec when `object` holds a pod spec. A malformed field is an error naming it.
Result<void> pull_credentials_of(std::string_view kind, const rapidjson::Value& object,
                                 policy::AdmissionRequest& request);

}  // namespace signet::server
