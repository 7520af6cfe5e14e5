#include "crypto/dsse.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "crypto/encoding.hpp"

namespace signet::crypto {
namespace {

Result<std::string> string_field(const rapidjson::Value& object, const char* name, const std::string& where) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return Error::invalid(where + name + " is missing");
  if (!it->value.IsString()) return Error::invalid(where + name + " is not a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

Result<DsseEnvelope> parse_dsse_envelope(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("DSSE envelope is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid("DSSE envelope is not a JSON object");
  DsseEnvelope envelope;
  auto type = string_field(doc, "payloadType", "DSSE envelope ");
  if (!type) return type.error();
  envelope.payload_type = std::move(*type);
  auto payload = string_field(doc, "payload", "DSSE envelope ");
  if (!payload) return payload.error();
  auto decoded = base64_decode_any(*payload);
  if (!decoded) return decoded.error().context("DSSE envelope payload");
  envelope.payload = std::move(*decoded);

  const auto signatures = doc.FindMember("signatures");
  if (signatures == doc.MemberEnd() || !signatures->value.IsArray() || signatures->value.Empty()) {
    return Error::invalid("DSSE envelope has no signatures");
  }
  for (rapidjson::SizeType i = 0; i < signatures->value.Size(); ++i) {
    const auto& item = signatures->value[i];
    const std::string where = "DSSE envelope signatures[" + std::to_string(i) + "]";
    if (!item.IsObject()) return Error::invalid(where + " is not an object");
    auto sig = string_field(item, "sig", where + ".");
    if (!sig) return sig.error();
    auto sig_bytes = base64_decode_any(*sig);
    if (!sig_bytes) return sig_bytes.error().context(where + ".sig");
    std::string keyid;
    if (const auto id = item.FindMember("keyid"); id != item.MemberEnd() && id->value.IsString()) {
      keyid.assign(id->value.GetString(), id->value.GetStringLength());
    }
    envelope.signatures.push_back({std::move(keyid), std::move(*sig_bytes)});
  }
  return envelope;
}

std::string dsse_pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  out += payload_type;
  out += " " + std::to_string(payload.size()) + " ";
  out += payload;
  return out;
}

Result<void> verify_dsse(const DsseEnvelope& envelope, const PublicKey& key, HashAlgorithm hash) {
  const std::string signed_bytes = dsse_pae(envelope.payload_type, envelope.payload);
  Error last = Error::invalid("no signature");
  for (const auto& signature : envelope.signatures) {
    auto verified = key.verify(signed_bytes, signature.signature, hash);
    if (verified.ok()) return success();
    last = verified.error();
  }
  if (envelope.signatures.size() == 1) return last;
  return Error::invalid("none of the envelope's " + std::to_string(envelope.signatures.size()) +
                        " signatures verifies with " + key.description() + " (last: " + last.message + ")");
}

}  // namespace signet::crypto
