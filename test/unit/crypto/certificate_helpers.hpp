// What the certificate, SCT and timestamp tests read their material with; a failure fails the test.
#pragma once

#include <string>

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "crypto/certificate.hpp"
#include "crypto/encoding.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::test {

// The bundle-verify cases of sigstore-conformance, under the vectors folder.
inline const std::string kConformance = "sigstore-conformance/test/assets/bundle-verify/";

inline crypto::Certificate load_pem(const std::string& pem) {
  auto cert = crypto::Certificate::from_pem(pem);
  if (!cert) FAIL(cert.error().message);
  return *cert;
}

inline crypto::TrustedRoot load_root(const std::string& json) {
  auto root = crypto::parse_trusted_root(json);
  if (!root) FAIL(root.error().message);
  return *root;
}

// The leaf of a sigstore bundle (v0.3 `certificate`, or the first of a v0.2 chain).
inline crypto::Certificate bundle_leaf(const std::string& bundle_json) {
  rapidjson::Document doc;
  doc.Parse(bundle_json.data(), bundle_json.size());
  REQUIRE(doc.IsObject());
  const auto& material = doc["verificationMaterial"];
  const auto& raw = material.HasMember("certificate") ? material["certificate"]["rawBytes"]
                                                      : material["x509CertificateChain"]["certificates"][0]["rawBytes"];
  auto der = crypto::base64_decode(raw.GetString());
  REQUIRE(der.ok());
  auto cert = crypto::Certificate::from_der(*der);
  if (!cert) FAIL(cert.error().message);
  return *cert;
}

}  // namespace signet::test
