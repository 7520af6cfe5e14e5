#include "crypto/rekor_entry.hpp"

#include <openssl/evp.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <initializer_list>
#include <new>

#include "crypto/digest.hpp"
#include "crypto/encoding.hpp"
#include "crypto/pem.hpp"

namespace signet::crypto {
namespace {

using rapidjson::Value;

Result<rapidjson::Document> parse_json(std::string_view json, const std::string& what) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(what + " is not valid JSON: " + rapidjson::GetParseError_En(doc.GetParseError()) +
                          " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid(what + " is not a JSON object");
  return doc;
}

// The member at a dotted path, or nullptr.
const Value* find(const Value& root, std::initializer_list<const char*> path) {
  const Value* at = &root;
  for (const char* name : path) {
    if (!at->IsObject()) return nullptr;
    const auto it = at->FindMember(name);
    if (it == at->MemberEnd()) return nullptr;
    at = &it->value;
  }
  return at;
}

std::string dotted(std::initializer_list<const char*> path) {
  std::string out;
  for (const char* name : path) {
    if (!out.empty()) out += '.';
    out += name;
  }
  return out;
}

Result<std::string> string_at(const Value& root, std::initializer_list<const char*> path) {
  const Value* value = find(root, path);
  if (value == nullptr) return Error::invalid(dotted(path) + " is missing");
  if (!value->IsString()) return Error::invalid(dotted(path) + " is not a string");
  return std::string(value->GetString(), value->GetStringLength());
}

Result<std::string> base64_at(const Value& root, std::initializer_list<const char*> path) {
  auto text = string_at(root, path);
  if (!text) return text.error();
  auto bytes = base64_decode(*text);
  if (!bytes) return bytes.error().context(dotted(path));
  return bytes;
}

// The DER of the first PEM block of a base64-encoded PEM text (Rekor v1 bodies carry keys and
// certificates that way), so a key or certificate compares whatever its PEM wrapping.
Result<std::string> pem_der_at(const Value& root, std::initializer_list<const char*> path) {
  auto pem = base64_at(root, path);
  if (!pem) return pem.error();
  auto blocks = parse_pem_blocks(*pem);
  if (!blocks) return blocks.error().context(dotted(path));
  return std::move(blocks->front().der);
}

Result<std::int64_t> integer_member(const Value& object, const char* name, const std::string& where) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return Error::invalid(where + name + " is missing");
  if (!it->value.IsInt64()) return Error::invalid(where + name + " is not an integer");
  return it->value.GetInt64();
}

// --- the body's claims ---------------------------------------------------------------------------

struct Expected {
  std::string digest;  // the sha256 the entry's artifact hash must be (raw)
  std::vector<std::string> signatures;
};

// What a message-signature entry must name. A DSSE envelope logged as a hashedrekord (Rekor v2
// does that) names the digest of the envelope's PAE and one of its signatures.
Expected expected_for_message(const SignedArtifact& artifact) {
  if (!artifact.envelope) return {artifact.artifact_sha256, {artifact.signature}};
  Expected out{sha256_bytes(dsse_pae(artifact.envelope->payload_type, artifact.envelope->payload)), {}};
  for (const auto& signature : artifact.envelope->signatures) out.signatures.push_back(signature.signature);
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  for (const auto& candidate : list) {
    if (candidate == item) return true;
  }
  return false;
}

Result<void> check_sha256_hex(const Value& body, std::initializer_list<const char*> hash_path,
                              std::string_view expected, std::string_view what) {
  const Value* hash = find(body, hash_path);
  if (hash == nullptr) return Error::invalid(dotted(hash_path) + " is missing");
  auto algorithm = string_at(*hash, {"algorithm"});
  if (!algorithm) return algorithm.error().context(dotted(hash_path));
  if (*algorithm != "sha256") {
    return Error::invalid(dotted(hash_path) + ".algorithm is \"" + *algorithm + "\"; signet checks sha256 only");
  }
  auto value = string_at(*hash, {"value"});
  if (!value) return value.error().context(dotted(hash_path));
  if (*value != hex_encode(expected)) {
    return Error::invalid(dotted(hash_path) + ".value is " + *value + ", " + std::string(what) + " is " +
                          hex_encode(expected));
  }
  return success();
}

Result<void> check_signature_bytes(std::string_view found, const std::vector<std::string>& expected,
                                   std::string_view where) {
  if (contains(expected, found)) return success();
  return Error::invalid(std::string(where) + " is another signature than the one verified");
}

Result<void> check_verifier(std::string_view found_der, const SignedArtifact& artifact, std::string_view where) {
  if (found_der == artifact.verifier_der) return success();
  return Error::invalid(std::string(where) + " names another key or certificate than the signer's");
}

// hashedrekord 0.0.1 and rekord 0.0.1: {data.hash, signature.content, signature.publicKey.content}.
Result<void> check_rekord_v1(const Value& body, const SignedArtifact& artifact, bool rekord) {
  const Expected expected = expected_for_message(artifact);
  if (rekord) {
    // rekord may carry the artifact itself instead of its hash.
    if (find(body, {"spec", "data", "hash"}) == nullptr) {
      auto content = base64_at(body, {"spec", "data", "content"});
      if (!content) return content.error();
      if (sha256_bytes(*content) != expected.digest) {
        return Error::invalid("spec.data.content is another artifact than the one signed");
      }
    } else {
      auto hash = check_sha256_hex(body, {"spec", "data", "hash"}, expected.digest, "the artifact's sha256");
      if (!hash) return hash;
    }
    auto format = string_at(body, {"spec", "signature", "format"});
    if (!format) return format.error();
    if (*format != "x509") {
      return Error::invalid("spec.signature.format is \"" + *format + "\"; signet reads x509 entries only");
    }
  } else {
    auto hash = check_sha256_hex(body, {"spec", "data", "hash"}, expected.digest, "the artifact's sha256");
    if (!hash) return hash;
  }
  auto signature = base64_at(body, {"spec", "signature", "content"});
  if (!signature) return signature.error();
  auto same_signature = check_signature_bytes(*signature, expected.signatures, "spec.signature.content");
  if (!same_signature) return same_signature;
  auto verifier = pem_der_at(body, {"spec", "signature", "publicKey", "content"});
  if (!verifier) return verifier.error();
  return check_verifier(*verifier, artifact, "spec.signature.publicKey.content");
}

const DsseEnvelope* envelope_of(const SignedArtifact& artifact, std::string_view kind, Result<void>& error) {
  if (artifact.envelope) return &*artifact.envelope;
  error = Error::invalid("a " + std::string(kind) + " entry logs a DSSE envelope, and the signature is not one");
  return nullptr;
}

std::vector<std::string> envelope_signatures(const DsseEnvelope& envelope) {
  std::vector<std::string> out;
  for (const auto& signature : envelope.signatures) out.push_back(signature.signature);
  return out;
}

// The signatures an entry lists must be the envelope's, and one of them must be the signer's.
struct LoggedSignature {
  std::string signature;
  std::string verifier_der;
};

Result<void> check_logged_signatures(const std::vector<LoggedSignature>& logged, const DsseEnvelope& envelope,
                                     const SignedArtifact& artifact, const std::string& where) {
  const auto expected = envelope_signatures(envelope);
  if (logged.size() != expected.size()) {
    return Error::invalid(where + " lists " + std::to_string(logged.size()) + " signatures, the envelope has " +
                          std::to_string(expected.size()));
  }
  bool signer_logged = false;
  for (std::size_t i = 0; i < logged.size(); ++i) {
    auto same = check_signature_bytes(logged[i].signature, expected, where + "[" + std::to_string(i) + "]");
    if (!same) return same;
    if (logged[i].verifier_der == artifact.verifier_der) signer_logged = true;
  }
  if (!signer_logged) return Error::invalid(where + " names another key or certificate than the signer's");
  return success();
}

// The signatures a DSSE-kind body lists at `path`: each `sig_field` (base64; twice over when
// `double_base64`) with its `verifier_field` (base64 PEM), as raw bytes and DER.
Result<std::vector<LoggedSignature>> logged_signatures(const Value& body, std::initializer_list<const char*> path,
                                                       const char* sig_field, const char* verifier_field,
                                                       bool double_base64) {
  const Value* signatures = find(body, path);
  if (signatures == nullptr || !signatures->IsArray()) return Error::invalid(dotted(path) + " is missing or not a list");
  std::vector<LoggedSignature> logged;
  for (rapidjson::SizeType i = 0; i < signatures->Size(); ++i) {
    const std::string where = dotted(path) + "[" + std::to_string(i) + "]";
    auto sig_text = double_base64 ? base64_at((*signatures)[i], {sig_field}) : string_at((*signatures)[i], {sig_field});
    if (!sig_text) return sig_text.error().context(where);
    auto sig = base64_decode_any(*sig_text);
    if (!sig) return sig.error().context(where + "." + sig_field);
    auto key = pem_der_at((*signatures)[i], {verifier_field});
    if (!key) return key.error().context(where);
    logged.push_back({std::move(*sig), std::move(*key)});
  }
  return logged;
}

// intoto 0.0.1: {content.hash, content.payloadHash, publicKey}; the envelope's own hash is over its
// serialized JSON, which a parsed envelope no longer has, so the payload hash and key carry the check.
Result<void> check_intoto_v1(const Value& body, const SignedArtifact& artifact) {
  Result<void> error;
  const DsseEnvelope* envelope = envelope_of(artifact, "intoto", error);
  if (envelope == nullptr) return error;
  auto payload = check_sha256_hex(body, {"spec", "content", "payloadHash"}, sha256_bytes(envelope->payload),
                                  "the envelope payload's sha256");
  if (!payload) return payload;
  auto verifier = pem_der_at(body, {"spec", "publicKey"});
  if (!verifier) return verifier.error();
  return check_verifier(*verifier, artifact, "spec.publicKey");
}

// intoto 0.0.2: the envelope without its payload; each signature base64 twice, each key a base64 PEM.
Result<void> check_intoto_v2(const Value& body, const SignedArtifact& artifact) {
  Result<void> error;
  const DsseEnvelope* envelope = envelope_of(artifact, "intoto", error);
  if (envelope == nullptr) return error;
  auto payload = check_sha256_hex(body, {"spec", "content", "payloadHash"}, sha256_bytes(envelope->payload),
                                  "the envelope payload's sha256");
  if (!payload) return payload;
  auto type = string_at(body, {"spec", "content", "envelope", "payloadType"});
  if (!type) return type.error();
  if (*type != envelope->payload_type) {
    return Error::invalid("spec.content.envelope.payloadType is \"" + *type + "\", the envelope's is \"" +
                          envelope->payload_type + "\"");
  }
  // intoto 0.0.2 stores each signature base64-encoded twice.
  auto logged = logged_signatures(body, {"spec", "content", "envelope", "signatures"}, "sig", "publicKey", true);
  if (!logged) return logged.error();
  return check_logged_signatures(*logged, *envelope, artifact, "spec.content.envelope.signatures");
}

// dsse 0.0.1: {envelopeHash, payloadHash, signatures[{signature, verifier}]}.
Result<void> check_dsse_v1(const Value& body, const SignedArtifact& artifact) {
  Result<void> error;
  const DsseEnvelope* envelope = envelope_of(artifact, "dsse", error);
  if (envelope == nullptr) return error;
  auto payload =
      check_sha256_hex(body, {"spec", "payloadHash"}, sha256_bytes(envelope->payload), "the envelope payload's sha256");
  if (!payload) return payload;
  auto logged = logged_signatures(body, {"spec", "signatures"}, "signature", "verifier", false);
  if (!logged) return logged.error();
  return check_logged_signatures(*logged, *envelope, artifact, "spec.signatures");
}

// Rekor v2's verifier: {keyDetails, x509Certificate{rawBytes} | publicKey{rawBytes}}, DER in base64.
Result<std::string> v2_verifier_der(const Value& verifier) {
  if (find(verifier, {"x509Certificate"}) != nullptr) return base64_at(verifier, {"x509Certificate", "rawBytes"});
  if (find(verifier, {"publicKey"}) != nullptr) return base64_at(verifier, {"publicKey", "rawBytes"});
  return Error::invalid("has neither x509Certificate nor publicKey");
}

Result<void> check_v2_digest(const Value& body, std::initializer_list<const char*> path, std::string_view expected,
                             std::string_view what) {
  const Value* hash = find(body, path);
  if (hash == nullptr) return Error::invalid(dotted(path) + " is missing");
  auto algorithm = string_at(*hash, {"algorithm"});
  if (!algorithm) return algorithm.error().context(dotted(path));
  if (*algorithm != "SHA2_256") {
    return Error::invalid(dotted(path) + ".algorithm is \"" + *algorithm + "\"; signet checks SHA2_256 only");
  }
  auto digest = base64_at(*hash, {"digest"});
  if (!digest) return digest.error().context(dotted(path));
  if (*digest != expected) {
    return Error::invalid(dotted(path) + ".digest is " + hex_encode(*digest) + " (hex), " + std::string(what) + " is " +
                          hex_encode(expected));
  }
  return success();
}

// hashedrekord 0.0.2 (Rekor v2): spec.hashedRekordV002 {data{algorithm, digest}, signature{content, verifier}}.
Result<void> check_hashedrekord_v2(const Value& body, const SignedArtifact& artifact) {
  const Expected expected = expected_for_message(artifact);
  auto digest = check_v2_digest(body, {"spec", "hashedRekordV002", "data"}, expected.digest, "the artifact's sha256");
  if (!digest) return digest;
  auto signature = base64_at(body, {"spec", "hashedRekordV002", "signature", "content"});
  if (!signature) return signature.error();
  auto same = check_signature_bytes(*signature, expected.signatures, "spec.hashedRekordV002.signature.content");
  if (!same) return same;
  const Value* verifier = find(body, {"spec", "hashedRekordV002", "signature", "verifier"});
  if (verifier == nullptr) return Error::invalid("spec.hashedRekordV002.signature.verifier is missing");
  auto der = v2_verifier_der(*verifier);
  if (!der) return der.error().context("spec.hashedRekordV002.signature.verifier");
  return check_verifier(*der, artifact, "spec.hashedRekordV002.signature.verifier");
}

// dsse 0.0.2 (Rekor v2): spec.dsseV002 {payloadHash{algorithm, digest}, signatures[{content, verifier}]}.
Result<void> check_dsse_v2(const Value& body, const SignedArtifact& artifact) {
  Result<void> error;
  const DsseEnvelope* envelope = envelope_of(artifact, "dsse", error);
  if (envelope == nullptr) return error;
  auto payload = check_v2_digest(body, {"spec", "dsseV002", "payloadHash"}, sha256_bytes(envelope->payload),
                                 "the envelope payload's sha256");
  if (!payload) return payload;
  const Value* signatures = find(body, {"spec", "dsseV002", "signatures"});
  if (signatures == nullptr || !signatures->IsArray()) {
    return Error::invalid("spec.dsseV002.signatures is missing or not a list");
  }
  std::vector<LoggedSignature> logged;
  for (rapidjson::SizeType i = 0; i < signatures->Size(); ++i) {
    const std::string where = "spec.dsseV002.signatures[" + std::to_string(i) + "]";
    auto sig = base64_at((*signatures)[i], {"content"});
    if (!sig) return sig.error().context(where);
    const Value* verifier = find((*signatures)[i], {"verifier"});
    if (verifier == nullptr) return Error::invalid(where + ".verifier is missing");
    auto der = v2_verifier_der(*verifier);
    if (!der) return der.error().context(where + ".verifier");
    logged.push_back({std::move(*sig), std::move(*der)});
  }
  return check_logged_signatures(logged, *envelope, artifact, "spec.dsseV002.signatures");
}

// --- inclusion proofs and checkpoints ------------------------------------------------------------

std::string hash_children(std::string_view left, std::string_view right) {
  std::string node;
  node.reserve(1 + left.size() + right.size());
  node += '\x01';
  node += left;
  node += right;
  return sha256_bytes(node);
}

// RFC 9162 §2.1.3.2: the root a leaf's audit path leads to, or an error when the path cannot belong
// to a tree of that size.
Result<std::string> root_from_audit_path(std::uint64_t index, std::uint64_t size, std::string leaf_hash,
                                         const std::vector<std::string>& path) {
  if (index >= size) {
    return Error::invalid("log index " + std::to_string(index) + " is outside the tree of size " +
                          std::to_string(size));
  }
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  std::string r = std::move(leaf_hash);
  for (const auto& p : path) {
    if (sn == 0) return Error::invalid("the proof has more hashes than a tree of this size needs");
    if ((fn & 1) == 1 || fn == sn) {
      r = hash_children(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = hash_children(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Error::invalid("the proof has fewer hashes than a tree of this size needs");
  return r;
}

struct NoteSignature {
  std::string name;
  std::string key_hint;   // 4 bytes
  std::string signature;  // the rest
};

struct Checkpoint {
  std::string text;  // what the signatures cover
  std::string origin;
  std::uint64_t size = 0;
  std::string root_hash;
  std::vector<NoteSignature> signatures;
};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// A C2SP signed note: "origin\nsize\nbase64(root)\n[extension lines\n]\n— name base64(hint||sig)\n…".
Result<Checkpoint> parse_checkpoint(std::string_view note) {
  const auto blank = note.find("\n\n");
  if (blank == std::string_view::npos) return Error::invalid("has no blank line before its signatures");
  Checkpoint checkpoint;
  checkpoint.text = std::string(note.substr(0, blank + 1));
  const auto lines = split_lines(note.substr(0, blank));
  if (lines.size() < 3) return Error::invalid("has fewer than three lines (origin, tree size, root hash)");
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.empty()) return Error::invalid("has an empty origin line");
  const auto [end, ec] = std::from_chars(lines[1].data(), lines[1].data() + lines[1].size(), checkpoint.size);
  if (ec != std::errc() || end != lines[1].data() + lines[1].size() || lines[1].empty()) {
    return Error::invalid("line 2 is \"" + std::string(lines[1]) + "\", not a tree size");
  }
  auto root = base64_decode(lines[2]);
  if (!root || root->size() != 32) return Error::invalid("line 3 is not a base64 SHA-256 root hash");
  checkpoint.root_hash = std::move(*root);

  std::string_view rest = note.substr(blank + 2);
  if (rest.empty()) return Error::invalid("has no signature");
  if (rest.back() != '\n') return Error::invalid("does not end with a newline");
  rest.remove_suffix(1);
  constexpr std::string_view kDash = "\xE2\x80\x94 ";  // "— "
  for (const auto line : split_lines(rest)) {
    if (line.substr(0, kDash.size()) != kDash) {
      return Error::invalid("has a signature line not starting with \"— \": \"" + std::string(line) + "\"");
    }
    const auto body = line.substr(kDash.size());
    const auto space = body.rfind(' ');
    if (space == std::string_view::npos || space == 0) {
      return Error::invalid("has a signature line without a name: \"" + std::string(line) + "\"");
    }
    auto bytes = base64_decode(body.substr(space + 1));
    if (!bytes || bytes->size() < 5) {
      return Error::invalid("has a signature line whose signature is not base64 of a key hint and a signature");
    }
    checkpoint.signatures.push_back({std::string(body.substr(0, space)), bytes->substr(0, 4), bytes->substr(4)});
  }
  if (checkpoint.signatures.empty()) return Error::invalid("has no signature");
  return checkpoint;
}

// The key hint a note signature by `log` carries: C2SP's SHA-256(name || 0x0A || 0x01 || key)[:4] for
// Ed25519 note keys (Rekor v2, whose log id is that whole hash), the log id's first bytes otherwise
// (Rekor v1: SHA-256 of the DER key).
std::string expected_key_hint(const TransparencyLog& log, std::string_view name) {
  if (log.key.description() == "Ed25519") {
    const std::string der = log.key.der();
    std::string preimage(name);
    preimage += "\n\x01";
    preimage += der.substr(der.size() - 32);  // the raw key ends its SubjectPublicKeyInfo
    return sha256_bytes(preimage).substr(0, 4);
  }
  return log.log_id.substr(0, 4);
}

Result<void> verify_checkpoint(const InclusionProof& proof, const TransparencyLog& log) {
  if (proof.checkpoint.empty()) return Error::invalid("the inclusion proof has no checkpoint");
  auto checkpoint = parse_checkpoint(proof.checkpoint);
  if (!checkpoint) return checkpoint.error().context("checkpoint");
  if (checkpoint->size != proof.tree_size) {
    return Error::invalid("checkpoint is for a tree of size " + std::to_string(checkpoint->size) +
                          ", the proof for one of size " + std::to_string(proof.tree_size));
  }
  if (checkpoint->root_hash != proof.root_hash) {
    return Error::invalid("checkpoint root hash " + hex_encode(checkpoint->root_hash) + " is not the proof's " +
                          hex_encode(proof.root_hash));
  }
  std::optional<Error> failure;
  for (const auto& signature : checkpoint->signatures) {
    // Lines by other signers (witness cosignatures, other keys of the same origin) are not ours to judge.
    if (signature.key_hint != expected_key_hint(log, signature.name)) continue;
    auto verified = log.key.verify(checkpoint->text, signature.signature, HashAlgorithm::Sha256);
    if (verified) return success();
    failure = verified.error().context("checkpoint signature by \"" + signature.name + "\"");
  }
  if (failure) return *failure;
  return Error::invalid("checkpoint has no signature by the log " + log.base_url + " (key hint " +
                        hex_encode(expected_key_hint(log, checkpoint->signatures.front().name)) + ")");
}

std::string entry_name(const TlogEntry& entry) { return "log entry " + std::to_string(entry.log_index); }

}  // namespace

Result<TlogEntry> parse_cosign_rekor_bundle(std::string_view json) {
  auto doc = parse_json(json, "Rekor bundle");
  if (!doc) return doc.error();
  TlogEntry entry;
  auto set = string_at(*doc, {"SignedEntryTimestamp"});
  if (!set) return set.error().context("Rekor bundle");
  auto set_bytes = base64_decode(*set);
  if (!set_bytes) return set_bytes.error().context("Rekor bundle SignedEntryTimestamp");
  entry.signed_entry_timestamp = std::move(*set_bytes);

  const auto payload = doc->FindMember("Payload");
  if (payload == doc->MemberEnd() || !payload->value.IsObject()) {
    return Error::invalid("Rekor bundle Payload is missing or not an object");
  }
  auto body = string_at(payload->value, {"body"});
  if (!body) return body.error().context("Rekor bundle Payload");
  auto body_bytes = base64_decode(*body);
  if (!body_bytes) return body_bytes.error().context("Rekor bundle Payload.body");
  entry.canonicalized_body = std::move(*body_bytes);
  auto time = integer_member(payload->value, "integratedTime", "Rekor bundle Payload.");
  if (!time) return time.error();
  entry.integrated_time = *time;
  auto index = integer_member(payload->value, "logIndex", "Rekor bundle Payload.");
  if (!index) return index.error();
  if (*index < 0) return Error::invalid("Rekor bundle Payload.logIndex is negative");
  entry.log_index = *index;
  auto log_id = string_at(payload->value, {"logID"});
  if (!log_id) return log_id.error().context("Rekor bundle Payload");
  auto log_id_bytes = hex_decode(*log_id);
  if (!log_id_bytes) return log_id_bytes.error().context("Rekor bundle Payload.logID");
  entry.log_id = std::move(*log_id_bytes);

  auto body_doc = parse_json(entry.canonicalized_body, "Rekor bundle Payload.body");
  if (!body_doc) return body_doc.error();
  auto kind = string_at(*body_doc, {"kind"});
  if (!kind) return kind.error().context("Rekor bundle Payload.body");
  auto version = string_at(*body_doc, {"apiVersion"});
  if (!version) return version.error().context("Rekor bundle Payload.body");
  entry.kind = std::move(*kind);
  entry.version = std::move(*version);
  return entry;
}

Result<void> verify_signed_entry_timestamp(const TlogEntry& entry, const TransparencyLog& log) {
  if (!entry.signed_entry_timestamp) {
    return Error::invalid(entry_name(entry) + " has no signed entry timestamp");
  }
  if (entry.log_id != log.log_id) {
    return Error::invalid(entry_name(entry) + " is from log " + hex_encode(entry.log_id) + ", not from " +
                          log.base_url + " (" + hex_encode(log.log_id) + ")");
  }
  // The canonical JSON of these four members, written directly: the keys are already in order and
  // base64 and hex need no escaping.
  const std::string signed_payload = "{\"body\":\"" + base64_encode(entry.canonicalized_body) +
                                     "\",\"integratedTime\":" + std::to_string(entry.integrated_time) +
                                     ",\"logID\":\"" + hex_encode(entry.log_id) +
                                     "\",\"logIndex\":" + std::to_string(entry.log_index) + "}";
  auto verified = log.key.verify(signed_payload, *entry.signed_entry_timestamp, HashAlgorithm::Sha256);
  if (!verified) return verified.error().context("signed entry timestamp of " + entry_name(entry));
  return success();
}

Result<void> verify_inclusion_proof(const TlogEntry& entry, const TransparencyLog& log) {
  const std::string where = "inclusion proof of " + entry_name(entry);
  if (!entry.inclusion_proof) return Error::invalid(entry_name(entry) + " has no inclusion proof");
  if (entry.log_id != log.log_id) {
    return Error::invalid(entry_name(entry) + " is from log " + hex_encode(entry.log_id) + ", not from " +
                          log.base_url + " (" + hex_encode(log.log_id) + ")");
  }
  const InclusionProof& proof = *entry.inclusion_proof;
  if (proof.root_hash.size() != 32) return Error::invalid(where + ": the root hash is not 32 bytes");
  for (std::size_t i = 0; i < proof.hashes.size(); ++i) {
    if (proof.hashes[i].size() != 32) {
      return Error::invalid(where + ": hashes[" + std::to_string(i) + "] is not 32 bytes");
    }
  }
  std::string leaf(1, '\0');  // RFC 6962 leaf prefix
  leaf += entry.canonicalized_body;
  auto root = root_from_audit_path(proof.log_index, proof.tree_size, sha256_bytes(leaf), proof.hashes);
  if (!root) return root.error().context(where);
  if (*root != proof.root_hash) {
    return Error::invalid(where + ": the entry and its audit path lead to root " + hex_encode(*root) +
                          ", not to the proof's root " + hex_encode(proof.root_hash));
  }
  auto checkpoint = verify_checkpoint(proof, log);
  if (!checkpoint) return checkpoint.error().context(where);
  return success();
}

Result<void> check_entry_body(const TlogEntry& entry, const SignedArtifact& artifact) {
  const std::string where = "body of " + entry_name(entry);
  auto body = parse_json(entry.canonicalized_body, where);
  if (!body) return body.error();
  auto kind = string_at(*body, {"kind"});
  if (!kind) return kind.error().context(where);
  auto version = string_at(*body, {"apiVersion"});
  if (!version) return version.error().context(where);
  if ((!entry.kind.empty() && entry.kind != *kind) || (!entry.version.empty() && entry.version != *version)) {
    return Error::invalid(where + " is a " + *kind + " " + *version + " entry, the log entry says " + entry.kind + " " +
                          entry.version);
  }
  const std::string what = where + " (" + *kind + " " + *version + ")";
  Result<void> checked;
  if (*kind == "hashedrekord" && *version == "0.0.1") {
    checked = check_rekord_v1(*body, artifact, false);
  } else if (*kind == "rekord" && *version == "0.0.1") {
    checked = check_rekord_v1(*body, artifact, true);
  } else if (*kind == "intoto" && *version == "0.0.1") {
    checked = check_intoto_v1(*body, artifact);
  } else if (*kind == "intoto" && *version == "0.0.2") {
    checked = check_intoto_v2(*body, artifact);
  } else if (*kind == "dsse" && *version == "0.0.1") {
    checked = check_dsse_v1(*body, artifact);
  } else if (*kind == "hashedrekord" && *version == "0.0.2") {
    checked = check_hashedrekord_v2(*body, artifact);
  } else if (*kind == "dsse" && *version == "0.0.2") {
    checked = check_dsse_v2(*body, artifact);
  } else {
    return Error::invalid(what + ": signet does not read this kind of entry");
  }
  if (!checked) return checked.error().context(what);
  return success();
}

}  // namespace signet::crypto
