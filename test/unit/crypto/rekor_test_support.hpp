// Shared by the Rekor and bundle tests: files, the folders of vectors and keyless fixtures, and
// transparency logs built from a PEM key or a trusted_root.json without signet's trusted-root parser.
#pragma once

#include <openssl/evp.h>

#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/encoding.hpp"
#include "crypto/public_key.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::test {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline fs::path cosign_real_dir() { return fs::path(SIGNET_VECTORS_DIR) / "cosign-real"; }
inline fs::path conformance_dir() {
  return fs::path(SIGNET_VECTORS_DIR) / "sigstore-conformance" / "test" / "assets" / "bundle-verify";
}
inline fs::path sigstore_fixtures_dir() { return fs::path(SIGNET_SIGSTORE_FIXTURES); }

// OpenSSL's SHA-256, raw: expected values computed apart from signet's code.
inline std::string sha256_bytes(std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(out), length);
}

inline crypto::TransparencyLog log_from_key(const crypto::PublicKey& key, std::string base_url) {
  return crypto::TransparencyLog{std::move(base_url), sha256_bytes(key.der()), key,
                                 crypto::ValidityPeriod{crypto::UnixTime{}, std::nullopt}};
}

inline crypto::TransparencyLog log_from_pem(const std::string& pem, std::string base_url = "https://rekor.test") {
  auto key = crypto::PublicKey::from_pem(pem);
  if (!key) throw std::runtime_error(key.error().message);
  return log_from_key(*key, std::move(base_url));
}

// The `tlogs` of a trusted_root.json: baseUrl, logId.keyId and publicKey.rawBytes only.
inline std::vector<crypto::TransparencyLog> tlogs_of(const std::string& trusted_root_json) {
  rapidjson::Document doc;
  doc.Parse(trusted_root_json.data(), trusted_root_json.size());
  if (doc.HasParseError() || !doc.HasMember("tlogs")) throw std::runtime_error("not a trusted root");
  std::vector<crypto::TransparencyLog> logs;
  for (const auto& tlog : doc["tlogs"].GetArray()) {
    auto der = crypto::base64_decode(tlog["publicKey"]["rawBytes"].GetString());
    auto id = crypto::base64_decode(tlog["logId"]["keyId"].GetString());
    if (!der || !id) throw std::runtime_error("bad tlog in trusted root");
    auto key = crypto::PublicKey::from_der(*der);
    if (!key) throw std::runtime_error(key.error().message);
    logs.push_back(crypto::TransparencyLog{tlog["baseUrl"].GetString(), *id, *key,
                                           crypto::ValidityPeriod{crypto::UnixTime{}, std::nullopt}});
  }
  return logs;
}

inline const crypto::TransparencyLog* find_log(const std::vector<crypto::TransparencyLog>& logs,
                                               const std::string& log_id) {
  for (const auto& log : logs) {
    if (log.log_id == log_id) return &log;
  }
  return nullptr;
}

// Flips the lowest bit of byte `i` (from the end when negative).
inline std::string flip(std::string bytes, long i = -1) {
  const auto at = i < 0 ? static_cast<long>(bytes.size()) + i : i;
  bytes[static_cast<std::size_t>(at)] ^= 1;
  return bytes;
}

}  // namespace signet::test
