#include "policy/manifests/signer.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <yaml-cpp/yaml.h>

#include <memory>

#include "crypto/encoding.hpp"
#include "crypto/openssl_handles.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/manifests/ignore.hpp"
#include "policy/manifests/message.hpp"

namespace signet::policy::manifest {
namespace {

using Bio = std::unique_ptr<BIO, crypto::Free<BIO_free>>;

const EVP_MD* digest_of(crypto::HashAlgorithm hash) {
  switch (hash) {
    case crypto::HashAlgorithm::Sha224:
      return EVP_sha224();
    case crypto::HashAlgorithm::Sha256:
      return EVP_sha256();
    case crypto::HashAlgorithm::Sha384:
      return EVP_sha384();
    case crypto::HashAlgorithm::Sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

bool plain_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == '/')) {
      return false;
    }
  }
  // Words YAML 1.1 reads as something other than a string.
  for (std::string_view word :
       {"y",  "Y",  "n",   "N",    "yes",   "no",   "on",  "off", "true", "false", "null", "Yes",
        "No", "On", "Off", "True", "False", "Null", "YES", "NO",  "ON",   "OFF",   "TRUE", "FALSE"}) {
    if (key == word) return false;
  }
  return !(key[0] >= '0' && key[0] <= '9') && key[0] != '-' && key[0] != '.';
}

std::string scalar(const json::Value& value) { return json::to_json(value); }

void emit(const json::Value& value, int indent, std::string& out);

void emit_entry_value(const json::Value& value, int indent, std::string& out) {
  const bool empty_container =
      (value.is_object() && value.as_object().empty()) || (value.is_array() && value.as_array().empty());
  if ((value.is_object() || value.is_array()) && !empty_container) {
    out += "\n";
    emit(value, value.is_array() ? indent : indent + 2, out);
  } else {
    out += " " + scalar(value) + "\n";
  }
}

void emit(const json::Value& value, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (value.is_object()) {
    for (const auto& [key, item] : value.as_object()) {
      out += pad + (plain_key(key) ? key : scalar(json::Value(key))) + ":";
      emit_entry_value(item, indent, out);
    }
  } else if (value.is_array()) {
    for (const auto& item : value.as_array()) {
      out += pad + "-";
      const bool container =
          (item.is_object() && !item.as_object().empty()) || (item.is_array() && !item.as_array().empty());
      if (!container) {
        out += " " + scalar(item) + "\n";
        continue;
      }
      // The first line of the item goes after "- ", the rest is indented under it.
      std::string nested;
      emit(item, indent + 2, nested);
      out += " " + nested.substr(static_cast<std::size_t>(indent + 2));
    }
  } else {
    out += pad + scalar(value) + "\n";
  }
}

// `document` with annotations[key] = value for each pair, added or replaced.
json::Value annotate(const json::Value& document, const std::vector<std::pair<std::string, std::string>>& added) {
  json::Object root = document.as_object();
  json::Value* metadata = nullptr;
  for (auto& [key, item] : root) {
    if (key == "metadata") metadata = &item;
  }
  if (metadata == nullptr || !metadata->is_object()) {
    root.emplace_back("metadata", json::Value(json::Object{}));
    metadata = &root.back().second;
  }
  json::Object meta = metadata->as_object();
  json::Object annotations;
  for (const auto& [key, item] : meta) {
    if (key == "annotations" && item.is_object()) annotations = item.as_object();
  }
  for (const auto& [key, value] : added) {
    bool replaced = false;
    for (auto& [existing, item] : annotations) {
      if (existing == key) {
        item = json::Value(value);
        replaced = true;
      }
    }
    if (!replaced) annotations.emplace_back(key, json::Value(value));
  }
  bool placed = false;
  for (auto& [key, item] : meta) {
    if (key == "annotations") {
      item = json::Value(annotations);
      placed = true;
    }
  }
  if (!placed) meta.emplace_back("annotations", json::Value(annotations));
  *metadata = json::Value(meta);
  return json::Value(root);
}

std::string annotation_of(const json::Value& document, const std::string& key) {
  const json::Value* value = document.find("metadata");
  if (value != nullptr) value = value->find("annotations");
  if (value != nullptr) value = value->find(key);
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

}  // namespace

Result<std::string> sign_blob(std::string_view bytes, std::string_view private_key_pem, crypto::HashAlgorithm hash) {
  Bio bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  if (!bio) return Error::invalid("cannot read the private key");
  crypto::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return Error::invalid(
        "not an unencrypted PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY); cosign's encrypted "
        "keys are not read: export one with openssl");
  }
  crypto::MdCtx context(EVP_MD_CTX_new());
  const bool ed25519 = EVP_PKEY_get_id(key.get()) == EVP_PKEY_ED25519;
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, ed25519 ? nullptr : digest_of(hash), nullptr, key.get()) != 1) {
    return Error::invalid("the private key cannot sign (ECDSA, RSA or Ed25519 keys can)");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t length = 0;
  if (EVP_DigestSign(context.get(), nullptr, &length, data, bytes.size()) != 1) return Error::invalid("signing failed");
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, bytes.size()) !=
      1) {
    return Error::invalid("signing failed");
  }
  signature.resize(length);
  return signature;
}

Result<std::string> sign_manifest(std::string_view yaml, std::string_view private_key_pem, std::string_view domain,
                                  int index) {
  auto pieces = split_documents(yaml);
  if (!pieces) return pieces.error();
  std::vector<YAML::Node> nodes;
  try {
    for (const auto& piece : *pieces) nodes.push_back(YAML::Load(piece));
  } catch (const YAML::Exception& error) {
    return Error::invalid("the manifest is not YAML: " + error.msg);
  }
  std::vector<json::Value> documents;
  for (const auto& node : nodes) {
    loader::Problems problems;
    json::Value value = loader::Field::root(node, 0, problems).to_json();
    if (value.is_null()) continue;
    if (!value.is_object() || value.find("kind") == nullptr) {
      return Error::invalid("document " + std::to_string(documents.size() + 1) + " is not a Kubernetes object");
    }
    documents.push_back(std::move(value));
  }
  if (documents.empty()) return Error::invalid("the manifest holds no Kubernetes object");

  const std::string message_key = annotation_key(domain, "message");
  std::string message;
  std::string signed_bytes;
  if (index == 0) {
    // What is signed is the file as given, less any earlier signature annotations: written back as YAML.
    std::string text;
    for (const auto& document : documents) text += (text.empty() ? "" : "---\n") + to_yaml(document);
    signed_bytes = text;
    message = encode_message(text);
  } else {
    message = annotation_of(documents.front(), message_key);
    auto decoded = decode_message(message);
    if (message.empty() || !decoded) {
      return Error::invalid("a further signature (signature_" + std::to_string(index) +
                            ") needs the file signed once already: no readable " + message_key);
    }
    signed_bytes = decoded->signed_bytes;
  }
  auto signature = sign_blob(signed_bytes, private_key_pem);
  if (!signature) return signature.error();
  const std::vector<std::pair<std::string, std::string>> added = {
      {message_key, message}, {annotation_key(domain, "signature", index), crypto::base64_encode(*signature)}};
  std::string out;
  for (const auto& document : documents) out += (out.empty() ? "" : "---\n") + to_yaml(annotate(document, added));
  return out;
}

std::string to_yaml(const json::Value& value) {
  std::string out;
  emit(value, 0, out);
  return out;
}

}  // namespace signet::policy::manifest
