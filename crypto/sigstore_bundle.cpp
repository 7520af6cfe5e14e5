#include "crypto/sigstore_bundle.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>

#include "crypto/encoding.hpp"

namespace signet::crypto {
namespace {

using rapidjson::Value;

enum class Version { V01, V02, V03 };

Result<Version> bundle_version(std::string_view media_type) {
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.1") return Version::V01;
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.2") return Version::V02;
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.3") return Version::V03;
  if (media_type == "application/vnd.dev.sigstore.bundle.v0.3+json") return Version::V03;
  return Error::invalid("mediaType \"" + std::string(media_type) +
                        "\" is not a sigstore bundle version signet reads (0.1, 0.2 or 0.3)");
}

const Value* member(const Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

Result<const Value*> object_member(const Value& object, const char* name, const std::string& where) {
  const Value* value = member(object, name);
  if (value == nullptr) return Error::invalid(where + name + " is missing");
  if (!value->IsObject()) return Error::invalid(where + name + " is not an object");
  return value;
}

Result<std::string> string_member(const Value& object, const char* name, const std::string& where) {
  const Value* value = member(object, name);
  if (value == nullptr) return Error::invalid(where + name + " is missing");
  if (!value->IsString()) return Error::invalid(where + name + " is not a string");
  return std::string(value->GetString(), value->GetStringLength());
}

// Protobuf JSON `bytes`: base64 in either alphabet, padded or not.
Result<std::string> decode_bytes(std::string_view text) {
  // Line breaks are skipped (a base64 tool wraps at 76 columns); they do not count toward padding.
  std::string unwrapped;
  unwrapped.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r') unwrapped += c;
  }
  return base64_decode_any(unwrapped);
}

Result<std::string> bytes_member(const Value& object, const char* name, const std::string& where) {
  auto text = string_member(object, name, where);
  if (!text) return text.error();
  auto bytes = decode_bytes(*text);
  if (!bytes) return bytes.error().context(where + name);
  return bytes;
}

// Protobuf JSON int64: a string of digits ("123") or a number; absent is proto3's zero.
Result<std::int64_t> int64_member(const Value& object, const char* name, const std::string& where) {
  const Value* value = member(object, name);
  if (value == nullptr) return std::int64_t{0};
  if (value->IsInt64()) return value->GetInt64();
  if (value->IsString()) {
    const std::string_view text(value->GetString(), value->GetStringLength());
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return out;
  }
  return Error::invalid(where + name + " is not a 64-bit integer");
}

Result<std::uint64_t> non_negative_member(const Value& object, const char* name, const std::string& where) {
  auto value = int64_member(object, name, where);
  if (!value) return value.error();
  if (*value < 0) return Error::invalid(where + name + " is negative (" + std::to_string(*value) + ")");
  return static_cast<std::uint64_t>(*value);
}

Result<InclusionProof> parse_inclusion_proof(const Value& json, const std::string& where) {
  InclusionProof proof;
  auto index = non_negative_member(json, "logIndex", where);
  if (!index) return index.error();
  proof.log_index = *index;
  auto root = bytes_member(json, "rootHash", where);
  if (!root) return root.error();
  proof.root_hash = std::move(*root);
  auto size = non_negative_member(json, "treeSize", where);
  if (!size) return size.error();
  proof.tree_size = *size;
  if (const Value* hashes = member(json, "hashes")) {
    if (!hashes->IsArray()) return Error::invalid(where + "hashes is not a list");
    for (rapidjson::SizeType i = 0; i < hashes->Size(); ++i) {
      const std::string item = where + "hashes[" + std::to_string(i) + "]";
      if (!(*hashes)[i].IsString()) return Error::invalid(item + " is not a string");
      auto hash = decode_bytes({(*hashes)[i].GetString(), (*hashes)[i].GetStringLength()});
      if (!hash) return hash.error().context(item);
      proof.hashes.push_back(std::move(*hash));
    }
  }
  if (const Value* checkpoint = member(json, "checkpoint")) {
    auto envelope = string_member(*checkpoint, "envelope", where + "checkpoint.");
    if (!envelope) return envelope.error();
    proof.checkpoint = std::move(*envelope);
  }
  return proof;
}

Result<TlogEntry> parse_tlog_entry(const Value& json, const std::string& where, Version version) {
  if (!json.IsObject()) return Error::invalid(where + " is not an object");
  const std::string prefix = where + ".";
  TlogEntry entry;
  auto index = non_negative_member(json, "logIndex", prefix);
  if (!index) return index.error();
  entry.log_index = static_cast<std::int64_t>(*index);
  auto log_id = object_member(json, "logId", prefix);
  if (!log_id) return log_id.error();
  auto key_id = bytes_member(**log_id, "keyId", prefix + "logId.");
  if (!key_id) return key_id.error();
  entry.log_id = std::move(*key_id);
  auto kind_version = object_member(json, "kindVersion", prefix);
  if (!kind_version) return kind_version.error();
  auto kind = string_member(**kind_version, "kind", prefix + "kindVersion.");
  if (!kind) return kind.error();
  entry.kind = std::move(*kind);
  auto kind_v = string_member(**kind_version, "version", prefix + "kindVersion.");
  if (!kind_v) return kind_v.error();
  entry.version = std::move(*kind_v);
  auto time = int64_member(json, "integratedTime", prefix);
  if (!time) return time.error();
  entry.integrated_time = *time;
  auto body = bytes_member(json, "canonicalizedBody", prefix);
  if (!body) return body.error();
  entry.canonicalized_body = std::move(*body);

  if (const Value* promise = member(json, "inclusionPromise")) {
    auto set = bytes_member(*promise, "signedEntryTimestamp", prefix + "inclusionPromise.");
    if (!set) return set.error();
    entry.signed_entry_timestamp = std::move(*set);
  }
  if (const Value* proof = member(json, "inclusionProof")) {
    if (!proof->IsObject()) return Error::invalid(prefix + "inclusionProof is not an object");
    auto parsed = parse_inclusion_proof(*proof, prefix + "inclusionProof.");
    if (!parsed) return parsed.error();
    entry.inclusion_proof = std::move(*parsed);
  }
  // What each version promises to carry (sigstore-go's bundle validation).
  if (version == Version::V01 && !entry.signed_entry_timestamp) {
    return Error::invalid(prefix + "inclusionPromise is missing (a v0.1 bundle needs one on each entry)");
  }
  if (version != Version::V01 && !entry.inclusion_proof) {
    return Error::invalid(prefix + "inclusionProof is missing (a v0.2 or later bundle needs one on each entry)");
  }
  return entry;
}

Result<void> parse_verification_material(const Value& json, Version version, SigstoreBundle& bundle) {
  const std::string where = "verificationMaterial.";
  const Value* key = member(json, "publicKey");
  const Value* chain = member(json, "x509CertificateChain");
  const Value* certificate = member(json, "certificate");
  const int kinds = (key != nullptr) + (chain != nullptr) + (certificate != nullptr);
  if (kinds != 1) {
    return Error::invalid(where + "must have exactly one of publicKey, x509CertificateChain and certificate (has " +
                          std::to_string(kinds) + ")");
  }
  if (key != nullptr) {
    if (!key->IsObject()) return Error::invalid(where + "publicKey is not an object");
    std::string hint;
    if (member(*key, "hint") != nullptr) {
      auto text = string_member(*key, "hint", where + "publicKey.");
      if (!text) return text.error();
      hint = std::move(*text);
    }
    bundle.public_key_hint = std::move(hint);
  } else if (chain != nullptr) {
    if (version == Version::V03) {
      return Error::invalid(where + "x509CertificateChain is not allowed in a v0.3 bundle (it has one certificate)");
    }
    const Value* certificates = member(*chain, "certificates");
    if (certificates == nullptr || !certificates->IsArray() || certificates->Empty()) {
      return Error::invalid(where + "x509CertificateChain.certificates is empty");
    }
    for (rapidjson::SizeType i = 0; i < certificates->Size(); ++i) {
      const std::string item = where + "x509CertificateChain.certificates[" + std::to_string(i) + "].";
      auto der = bytes_member((*certificates)[i], "rawBytes", item);
      if (!der) return der.error();
      if (der->empty()) return Error::invalid(item + "rawBytes is empty");
      bundle.certificates_der.push_back(std::move(*der));
    }
  } else {
    auto der = bytes_member(*certificate, "rawBytes", where + "certificate.");
    if (!der) return der.error();
    if (der->empty()) return Error::invalid(where + "certificate.rawBytes is empty");
    bundle.certificates_der.push_back(std::move(*der));
  }

  if (const Value* entries = member(json, "tlogEntries")) {
    if (!entries->IsArray()) return Error::invalid(where + "tlogEntries is not a list");
    for (rapidjson::SizeType i = 0; i < entries->Size(); ++i) {
      auto entry = parse_tlog_entry((*entries)[i], where + "tlogEntries[" + std::to_string(i) + "]", version);
      if (!entry) return entry.error();
      bundle.tlog_entries.push_back(std::move(*entry));
    }
  }
  if (const Value* data = member(json, "timestampVerificationData")) {
    if (const Value* timestamps = member(*data, "rfc3161Timestamps")) {
      if (!timestamps->IsArray())
        return Error::invalid(where + "timestampVerificationData.rfc3161Timestamps is not a list");
      for (rapidjson::SizeType i = 0; i < timestamps->Size(); ++i) {
        auto der = bytes_member((*timestamps)[i], "signedTimestamp",
                                where + "timestampVerificationData.rfc3161Timestamps[" + std::to_string(i) + "].");
        if (!der) return der.error();
        bundle.rfc3161_timestamps.push_back(std::move(*der));
      }
    }
  }
  return success();
}

Result<MessageSignature> parse_message_signature(const Value& json) {
  if (!json.IsObject()) return Error::invalid("messageSignature is not an object");
  MessageSignature out;
  if (const Value* digest = member(json, "messageDigest")) {
    auto algorithm = string_member(*digest, "algorithm", "messageSignature.messageDigest.");
    if (!algorithm) return algorithm.error();
    out.digest_algorithm = std::move(*algorithm);
    auto bytes = bytes_member(*digest, "digest", "messageSignature.messageDigest.");
    if (!bytes) return bytes.error();
    out.digest = std::move(*bytes);
  }
  auto signature = bytes_member(json, "signature", "messageSignature.");
  if (!signature) return signature.error();
  if (signature->empty()) return Error::invalid("messageSignature.signature is empty");
  out.signature = std::move(*signature);
  return out;
}

Result<DsseEnvelope> parse_envelope(const Value& json) {
  if (!json.IsObject()) return Error::invalid("dsseEnvelope is not an object");
  DsseEnvelope envelope;
  auto type = string_member(json, "payloadType", "dsseEnvelope.");
  if (!type) return type.error();
  envelope.payload_type = std::move(*type);
  auto payload = bytes_member(json, "payload", "dsseEnvelope.");
  if (!payload) return payload.error();
  envelope.payload = std::move(*payload);
  const Value* signatures = member(json, "signatures");
  if (signatures == nullptr || !signatures->IsArray() || signatures->Empty()) {
    return Error::invalid("dsseEnvelope.signatures is empty");
  }
  for (rapidjson::SizeType i = 0; i < signatures->Size(); ++i) {
    const std::string item = "dsseEnvelope.signatures[" + std::to_string(i) + "].";
    auto sig = bytes_member((*signatures)[i], "sig", item);
    if (!sig) return sig.error();
    std::string keyid;
    if (const Value* id = member((*signatures)[i], "keyid"); id != nullptr && id->IsString()) {
      keyid.assign(id->GetString(), id->GetStringLength());
    }
    envelope.signatures.push_back({std::move(keyid), std::move(*sig)});
  }
  return envelope;
}

}  // namespace

Result<SigstoreBundle> parse_sigstore_bundle(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("sigstore bundle is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid("sigstore bundle is not a JSON object");
  auto result = [&]() -> Result<SigstoreBundle> {
    SigstoreBundle bundle;
    auto media_type = string_member(doc, "mediaType", "");
    if (!media_type) return media_type.error();
    auto version = bundle_version(*media_type);
    if (!version) return version.error();
    bundle.media_type = std::move(*media_type);

    auto material = object_member(doc, "verificationMaterial", "");
    if (!material) return material.error();
    auto parsed = parse_verification_material(**material, *version, bundle);
    if (!parsed) return parsed.error();

    const Value* message = member(doc, "messageSignature");
    const Value* envelope = member(doc, "dsseEnvelope");
    if ((message != nullptr) == (envelope != nullptr)) {
      return Error::invalid("the bundle must have exactly one of messageSignature and dsseEnvelope");
    }
    if (message != nullptr) {
      auto signature = parse_message_signature(*message);
      if (!signature) return signature.error();
      bundle.message_signature = std::move(*signature);
    } else {
      auto parsed_envelope = parse_envelope(*envelope);
      if (!parsed_envelope) return parsed_envelope.error();
      bundle.dsse_envelope = std::move(*parsed_envelope);
    }
    return bundle;
  }();
  if (!result) return result.error().context("sigstore bundle");
  return result;
}

}  // namespace signet::crypto
