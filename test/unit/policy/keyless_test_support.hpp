// Keyless test material for the policy tests: the fixtures test/support/sigstore/make_fixtures.sh made
// with sigstore-js against the mock Fulcio, Rekor and TSA (ctest fixture `sigstore`), read as cosign
// layers and trusted roots.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "crypto/encoding.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "crypto/trusted_root.hpp"
#include "oci/registry.hpp"

namespace signet::policy::test {

inline std::string fixture_path(const std::string& name) { return std::string(SIGNET_SIGSTORE_FIXTURES) + "/" + name; }

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + fixture_path(name) + " (run ctest's sigstore_fixtures)");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

inline std::shared_ptr<const crypto::TrustedRoot> fixture_root() {
  auto root = crypto::parse_trusted_root(read_fixture("trusted_root.json"));
  if (!root) throw std::runtime_error(root.error().message);
  return std::make_shared<const crypto::TrustedRoot>(std::move(*root));
}

// cosign's keyless `.sig` layer in `folder` (cosign/ or cosign-other/): payload and annotations.
inline oci::CosignSignature cosign_layer(const std::string& folder = "cosign") {
  rapidjson::Document layer;
  layer.Parse(read_fixture(folder + "/layer.json").c_str());
  oci::CosignSignature signature;
  signature.payload = read_fixture(folder + "/payload.json");
  signature.media_type = layer["mediaType"].GetString();
  for (const auto& member : layer["annotations"].GetObject()) {
    signature.annotations[member.name.GetString()] = member.value.GetString();
  }
  return signature;
}

// cosign's keyless `.att` layer made from a DSSE bundle: the envelope as the layer, the certificate and
// the Rekor entry as cosign's annotations.
inline oci::CosignLayer attestation_layer(const std::string& bundle_name) {
  const std::string text = read_fixture(bundle_name);
  auto bundle = crypto::parse_sigstore_bundle(text);
  if (!bundle) throw std::runtime_error(bundle.error().message);
  rapidjson::Document document;
  document.Parse(text.c_str());
  rapidjson::StringBuffer envelope;
  rapidjson::Writer<rapidjson::StringBuffer> writer(envelope);
  document["dsseEnvelope"].Accept(writer);

  oci::CosignLayer layer;
  layer.payload = envelope.GetString();
  layer.media_type = "application/vnd.dsse.envelope.v1+json";
  const std::string der = bundle->certificates_der.front();
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  const std::string body = crypto::base64_encode(der);
  for (std::size_t i = 0; i < body.size(); i += 64) pem += body.substr(i, 64) + "\n";
  layer.annotations["dev.sigstore.cosign/certificate"] = pem + "-----END CERTIFICATE-----\n";
  const crypto::TlogEntry& entry = bundle->tlog_entries.front();
  layer.annotations["dev.sigstore.cosign/bundle"] =
      R"({"SignedEntryTimestamp":")" + crypto::base64_encode(*entry.signed_entry_timestamp) +
      R"(","Payload":{"body":")" + crypto::base64_encode(entry.canonicalized_body) +
      R"(","integratedTime":)" + std::to_string(entry.integrated_time) +
      R"(,"logIndex":)" + std::to_string(entry.log_index) + R"(,"logID":")" + crypto::hex_encode(entry.log_id) +
      R"("}})";
  layer.annotations["predicateType"] = "https://slsa.dev/provenance/v1";
  return layer;
}

}  // namespace signet::policy::test
