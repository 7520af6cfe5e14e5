// The resources of a Kyverno CLI test, each turned into the AdmissionReview of its creation, so the
// engine sees them exactly as it sees a review from the API server.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "crypto/result.hpp"
#include "server/admission_review.hpp"

namespace signet::server {

struct TestResource {
  std::string api_version;
  std::string kind;
  std::string namespace_name;  // metadata.namespace, "default" when absent (cluster-scoped kinds: "")
  std::string name;
  std::string file;
  int document = 0;             // 1-based
  AdmissionReview review;       // CREATE of the object, with its images
  std::string display() const;  // "Pod/default/signed"
};

// The Kubernetes objects of a YAML file (several documents, `kind: List` items), each with its review.
// A document that is not an object with apiVersion, kind and metadata.name, or whose pod spec is
// malformed, is an error naming the file and the document.
Result<std::vector<TestResource>> load_test_resources(const std::filesystem::path& file);

}  // namespace signet::server
