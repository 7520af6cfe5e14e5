#include "crypto/tuf_metadata.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "crypto/encoding.hpp"
#include "crypto/openssl_handles.hpp"

namespace signet::crypto::tuf {
namespace {

using Value = rapidjson::Value;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// --- canonical JSON (OLPC) ---

void write_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

Result<void> write_canonical(std::string& out, const Value& value, const std::string& path) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      out += "null";
      return success();
    case rapidjson::kFalseType:
      out += "false";
      return success();
    case rapidjson::kTrueType:
      out += "true";
      return success();
    case rapidjson::kNumberType:
      if (value.IsInt64()) {
        out += std::to_string(value.GetInt64());
      } else if (value.IsUint64()) {
        out += std::to_string(value.GetUint64());
      } else {
        return Error::invalid(path + ": a number with a fraction or exponent has no canonical form in TUF");
      }
      return success();
    case rapidjson::kStringType:
      write_string(out, {value.GetString(), value.GetStringLength()});
      return success();
    case rapidjson::kArrayType: {
      out.push_back('[');
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        if (i) out.push_back(',');
        if (auto r = write_canonical(out, value[i], path + "[" + std::to_string(i) + "]"); !r) return r;
      }
      out.push_back(']');
      return success();
    }
    case rapidjson::kObjectType: {
      std::vector<std::pair<std::string_view, const Value*>> members;
      for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it)
        members.emplace_back(std::string_view(it->name.GetString(), it->name.GetStringLength()), &it->value);
      // Byte order of UTF-8 is code point order, as Python's sort of the decoded keys.
      std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i && members[i].first == members[i - 1].first)
          return Error::invalid(path + ": duplicate key \"" + std::string(members[i].first) + "\"");
        if (i) out.push_back(',');
        write_string(out, members[i].first);
        out.push_back(':');
        if (auto r = write_canonical(out, *members[i].second, path + "." + std::string(members[i].first)); !r) return r;
      }
      out.push_back('}');
      return success();
    }
  }
  return Error::invalid(path + ": not a JSON value");
}

Result<std::string> canonical(const Value& value, const std::string& path) {
  std::string out;
  if (auto r = write_canonical(out, value, path); !r) return r.error();
  return out;
}

Result<void> parse_json(rapidjson::Document& doc, std::string_view json, std::string_view what) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string(what) + " is not JSON: " + rapidjson::GetParseError_En(doc.GetParseError()) +
                          " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  return success();
}

// --- field readers that name the field ---

struct Fields {
  const Value& object;
  std::string path;

  const Value* find(const char* name) const {
    auto it = object.FindMember(name);
    return it == object.MemberEnd() ? nullptr : &it->value;
  }
  Result<const Value*> require(const char* name) const {
    const Value* v = find(name);
    if (!v) return Error::invalid(path + "." + name + " is missing");
    return v;
  }
  Result<std::string> string(const char* name) const {
    auto v = require(name);
    if (!v) return v.error();
    if (!(*v)->IsString()) return Error::invalid(path + "." + name + " must be a string");
    return std::string((*v)->GetString(), (*v)->GetStringLength());
  }
  Result<std::uint64_t> count(const char* name) const {
    auto v = require(name);
    if (!v) return v.error();
    if (!(*v)->IsUint64()) return Error::invalid(path + "." + name + " must be a non-negative integer");
    return (*v)->GetUint64();
  }
  Result<Fields> object_field(const char* name) const {
    auto v = require(name);
    if (!v) return v.error();
    if (!(*v)->IsObject()) return Error::invalid(path + "." + name + " must be an object");
    return Fields{**v, path + "." + name};
  }
};

Result<std::map<std::string, std::string>> parse_hashes(const Fields& f) {
  std::map<std::string, std::string> hashes;
  auto h = f.object_field("hashes");
  if (!h) return h.error();
  for (auto it = h->object.MemberBegin(); it != h->object.MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsString()) return Error::invalid(h->path + "." + name + " must be a hex string");
    std::string hex(it->value.GetString(), it->value.GetStringLength());
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
    hashes.emplace(std::move(name), std::move(hex));
  }
  if (hashes.empty()) return Error::invalid(h->path + " is empty");
  return hashes;
}

Result<std::map<std::string, FileInfo>> parse_file_map(const Fields& parent, const char* name, bool is_meta) {
  auto files = parent.object_field(name);
  if (!files) return files.error();
  std::map<std::string, FileInfo> out;
  for (auto it = files->object.MemberBegin(); it != files->object.MemberEnd(); ++it) {
    std::string file(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsObject()) return Error::invalid(files->path + "." + file + " must be an object");
    Fields f{it->value, files->path + "." + file};
    FileInfo info;
    if (is_meta) {
      auto version = f.count("version");
      if (!version) return version.error();
      info.version = *version;
    }
    if (f.find("length") || !is_meta) {
      auto length = f.count("length");
      if (!length) return length.error();
      info.length = *length;
    }
    if (f.find("hashes") || !is_meta) {
      auto hashes = parse_hashes(f);
      if (!hashes) return hashes.error();
      info.hashes = std::move(*hashes);
    }
    out.emplace(std::move(file), std::move(info));
  }
  return out;
}

Result<void> parse_root_fields(const Fields& f, Metadata& md) {
  auto consistent = f.require("consistent_snapshot");
  if (!consistent) return consistent.error();
  if (!(*consistent)->IsBool()) return Error::invalid(f.path + ".consistent_snapshot must be true or false");
  md.consistent_snapshot = (*consistent)->GetBool();

  auto keys = f.object_field("keys");
  if (!keys) return keys.error();
  for (auto it = keys->object.MemberBegin(); it != keys->object.MemberEnd(); ++it) {
    std::string id(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsObject()) return Error::invalid(keys->path + "." + id + " must be an object");
    Fields k{it->value, keys->path + "." + id};
    auto keytype = k.string("keytype");
    if (!keytype) return keytype.error();
    auto scheme = k.string("scheme");
    if (!scheme) return scheme.error();
    auto keyval = k.object_field("keyval");
    if (!keyval) return keyval.error();
    auto pub = keyval->string("public");
    if (!pub) return pub.error();
    auto key = Key::parse(*keytype, *scheme, *pub);
    if (!key) return key.error().context(k.path);
    md.keys.emplace(std::move(id), std::move(*key));
  }

  auto roles = f.object_field("roles");
  if (!roles) return roles.error();
  for (Role role : {Role::Root, Role::Timestamp, Role::Snapshot, Role::Targets}) {
    std::string name(to_string(role));
    auto r = roles->object_field(name.c_str());
    if (!r) return r.error();
    RoleKeys rk;
    auto threshold = r->count("threshold");
    if (!threshold) return threshold.error();
    if (*threshold < 1) return Error::invalid(r->path + ".threshold must be at least 1");
    rk.threshold = *threshold;
    auto ids = r->require("keyids");
    if (!ids) return ids.error();
    if (!(*ids)->IsArray()) return Error::invalid(r->path + ".keyids must be an array");
    for (const auto& id : (*ids)->GetArray()) {
      if (!id.IsString()) return Error::invalid(r->path + ".keyids must hold strings");
      std::string keyid(id.GetString(), id.GetStringLength());
      if (std::find(rk.keyids.begin(), rk.keyids.end(), keyid) != rk.keyids.end())
        return Error::invalid(r->path + ".keyids lists " + keyid + " twice");
      if (!md.keys.contains(keyid)) return Error::invalid(r->path + ".keyids names " + keyid + ", not in keys");
      rk.keyids.push_back(std::move(keyid));
    }
    md.roles.emplace(role, std::move(rk));
  }
  return success();
}

const EVP_MD* digest_named(std::string_view name) {
  if (name == "sha224") return EVP_sha224();
  if (name == "sha256") return EVP_sha256();
  if (name == "sha384") return EVP_sha384();
  if (name == "sha512") return EVP_sha512();
  return nullptr;
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::Root:
      return "root";
    case Role::Timestamp:
      return "timestamp";
    case Role::Snapshot:
      return "snapshot";
    case Role::Targets:
      return "targets";
  }
  return "root";
}

std::string Metadata::name() const { return std::string(to_string(role)) + " version " + std::to_string(version); }

Result<Key> Key::parse(std::string_view keytype, std::string_view scheme, std::string_view public_value) {
  std::string name(scheme);
  const bool ecdsa_type = keytype == "ecdsa" || keytype == scheme;
  if ((scheme == "ecdsa-sha2-nistp256" || scheme == "ecdsa-sha2-nistp384") && ecdsa_type) {
    auto key = PublicKey::from_pem(public_value);
    if (!key) return key.error();
    if (key->description().rfind("ECDSA", 0) != 0)
      return Error::invalid("scheme " + name + " needs an ECDSA key, not " + key->description());
    return Key(scheme == "ecdsa-sha2-nistp256" ? Scheme::EcdsaSha256 : Scheme::EcdsaSha384, name, std::move(*key));
  }
  if (scheme == "ed25519" && keytype == "ed25519") {
    auto raw = hex_decode(public_value);
    if (!raw) return raw.error().context("ed25519 public key");
    if (raw->size() != 32)
      return Error::invalid("an ed25519 public key has 32 bytes, not " + std::to_string(raw->size()));
    // The DER SubjectPublicKeyInfo of an Ed25519 key is this fixed prefix and the 32 bytes (RFC 8410).
    static constexpr unsigned char kPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    auto key = PublicKey::from_der(std::string(reinterpret_cast<const char*>(kPrefix), sizeof kPrefix) + *raw);
    if (!key) return key.error();
    return Key(Scheme::Ed25519, name, std::move(*key));
  }
  if (scheme == "rsassa-pss-sha256" && keytype == "rsa") {
    auto key = PublicKey::from_pem(public_value);
    if (!key) return key.error();
    if (key->description().rfind("RSA", 0) != 0)
      return Error::invalid("scheme " + name + " needs an RSA key, not " + key->description());
    return Key(Scheme::RsaPssSha256, name, std::move(*key));
  }
  return Key(Scheme::Unsupported, name + " (keytype " + std::string(keytype) + ")", std::nullopt);
}

Result<void> Key::verify(std::string_view message, std::string_view signature) const {
  switch (scheme_) {
    case Scheme::EcdsaSha256:
      return key_->verify(message, signature, HashAlgorithm::Sha256);
    case Scheme::EcdsaSha384:
      return key_->verify(message, signature, HashAlgorithm::Sha384);
    case Scheme::Ed25519:
      return key_->verify(message, signature, HashAlgorithm::Sha256);
    case Scheme::RsaPssSha256:
      break;
    case Scheme::Unsupported:
      return Error::invalid("signet cannot verify keys of scheme " + scheme_name_);
  }
  // PublicKey verifies RSA with PKCS#1 v1.5; TUF's RSA scheme is PSS (salt length as the signer chose).
  std::string der = key_->der();
  const unsigned char* p = bytes(der);
  PKey pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1) {
    return Error::invalid("OpenSSL could not set up RSA-PSS verification: " + take_openssl_errors());
  }
  int verified = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size());
  take_openssl_errors();
  if (verified != 1) return Error::invalid("signature does not verify with " + key_->description() + " (RSA-PSS)");
  return success();
}

Result<UnixTime> parse_tuf_time(std::string_view text) {
  int y, mo, d, h, mi, s;
  char z = 0;
  int consumed = 0;
  std::string copy(text);
  if (text.size() != 20 ||
      std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &y, &mo, &d, &h, &mi, &s, &z, &consumed) != 7 ||
      consumed != 20 || z != 'Z') {
    return Error::invalid("\"" + copy + "\" is not a time of the form YYYY-MM-DDTHH:MM:SSZ");
  }
  std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                   std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
    return Error::invalid("\"" + copy + "\" is not a valid date and time");
  return UnixTime(std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(h) + std::chrono::minutes(mi) +
                  std::chrono::seconds(s));
}

std::string format_tuf_time(UnixTime time) {
  auto days = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date(days);
  std::chrono::hh_mm_ss hms(time - days);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return out;
}

Result<std::string> canonical_json_olpc(std::string_view json) {
  rapidjson::Document doc;
  if (auto r = parse_json(doc, json, "the document"); !r) return r.error();
  return canonical(doc, "$");
}

Result<Metadata> parse_metadata(std::string_view json, Role expected) {
  const std::string role_name(to_string(expected));
  rapidjson::Document doc;
  if (auto r = parse_json(doc, json, role_name + " metadata"); !r) return r.error();
  if (!doc.IsObject()) return Error::invalid(role_name + " metadata must be a JSON object");
  Fields top{doc, role_name};
  auto signed_part = top.object_field("signed");
  if (!signed_part) return signed_part.error();
  const Fields& f = *signed_part;

  Metadata md;
  md.role = expected;
  auto type = f.string("_type");
  if (!type) return type.error();
  if (*type != role_name) return Error::invalid(f.path + "._type is \"" + *type + "\", expected \"" + role_name + "\"");
  auto spec = f.string("spec_version");
  if (!spec) return spec.error();
  // Clients accept metadata of their own major version only (TUF 1.0: "MUST be 1.x").
  if (spec->size() < 2 || spec->rfind("1.", 0) != 0)
    return Error::invalid(f.path + ".spec_version is \"" + *spec + "\"; signet reads TUF specification 1.x");
  md.spec_version = *spec;
  auto version = f.count("version");
  if (!version) return version.error();
  if (*version < 1) return Error::invalid(f.path + ".version must be at least 1");
  md.version = *version;
  auto expires = f.string("expires");
  if (!expires) return expires.error();
  auto when = parse_tuf_time(*expires);
  if (!when) return when.error().context(f.path + ".expires");
  md.expires = *when;

  auto bytes_signed = canonical(f.object, f.path);
  if (!bytes_signed) return bytes_signed.error();
  md.signed_bytes = std::move(*bytes_signed);

  auto sigs = top.require("signatures");
  if (!sigs) return sigs.error();
  if (!(*sigs)->IsArray()) return Error::invalid(role_name + ".signatures must be an array");
  for (rapidjson::SizeType i = 0; i < (*sigs)->Size(); ++i) {
    const Value& s = (**sigs)[i];
    std::string path = role_name + ".signatures[" + std::to_string(i) + "]";
    if (!s.IsObject()) return Error::invalid(path + " must be an object");
    Fields sf{s, path};
    auto keyid = sf.string("keyid");
    if (!keyid) return keyid.error();
    auto sig_hex = sf.string("sig");
    if (!sig_hex) return sig_hex.error();
    auto sig = hex_decode(*sig_hex);
    if (!sig) return sig.error().context(path + ".sig");
    md.signatures.push_back({std::move(*keyid), std::move(*sig)});
  }

  switch (expected) {
    case Role::Root:
      if (auto r = parse_root_fields(f, md); !r) return r.error();
      break;
    case Role::Timestamp: {
      auto meta = parse_file_map(f, "meta", true);
      if (!meta) return meta.error();
      if (!meta->contains("snapshot.json")) return Error::invalid(f.path + ".meta has no snapshot.json");
      md.meta = std::move(*meta);
      break;
    }
    case Role::Snapshot: {
      auto meta = parse_file_map(f, "meta", true);
      if (!meta) return meta.error();
      if (!meta->contains("targets.json")) return Error::invalid(f.path + ".meta has no targets.json");
      md.meta = std::move(*meta);
      break;
    }
    case Role::Targets: {
      auto targets = parse_file_map(f, "targets", false);
      if (!targets) return targets.error();
      md.targets = std::move(*targets);
      break;
    }
  }
  return md;
}

Result<void> check_signatures(const Metadata& root, Role role, const Metadata& metadata) {
  auto role_keys = root.roles.find(role);
  if (role_keys == root.roles.end())
    return Error::invalid(root.name() + " has no " + std::string(to_string(role)) + " role");
  const RoleKeys& rk = role_keys->second;
  std::set<std::string> counted_ids;
  std::set<std::string> counted_keys;
  std::string last_failure;
  for (const Signature& sig : metadata.signatures) {
    if (sig.sig.empty() || counted_ids.contains(sig.keyid)) continue;
    if (std::find(rk.keyids.begin(), rk.keyids.end(), sig.keyid) == rk.keyids.end()) continue;
    const Key& key = root.keys.at(sig.keyid);
    if (auto verified = key.verify(metadata.signed_bytes, sig.sig); !verified) {
      last_failure = "; key " + sig.keyid.substr(0, 16) + ": " + verified.error().message;
      continue;
    }
    counted_ids.insert(sig.keyid);
    counted_keys.insert(key.der());
  }
  if (counted_keys.size() >= rk.threshold) return success();
  return Error::invalid(metadata.name() + " is signed by " + std::to_string(counted_keys.size()) + " of the " +
                        std::to_string(rk.threshold) + " " + std::string(to_string(role)) + " keys that " +
                        root.name() + " requires" + last_failure);
}

Result<void> check_not_expired(const Metadata& metadata, UnixTime now) {
  if (now < metadata.expires) return success();
  return Error::invalid(metadata.name() + " expired at " + format_tuf_time(metadata.expires) + " (now " +
                        format_tuf_time(now) + ")");
}

Result<void> check_file(std::string_view content, const FileInfo& info, std::string_view what) {
  if (info.length && content.size() != *info.length) {
    return Error::invalid(std::string(what) + ": " + std::to_string(content.size()) + " bytes, expected " +
                          std::to_string(*info.length));
  }
  for (const auto& [algorithm, expected] : info.hashes) {
    const EVP_MD* md = digest_named(algorithm);
    if (!md) return Error::invalid(std::string(what) + ": unsupported hash algorithm \"" + algorithm + "\"");
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(content.data(), content.size(), out, &size, md, nullptr) != 1)
      return Error::invalid("OpenSSL could not hash " + std::string(what) + ": " + take_openssl_errors());
    std::string actual = hex_encode(std::string_view(reinterpret_cast<const char*>(out), size));
    if (actual != expected) {
      return Error::invalid(std::string(what) + ": " + algorithm + " is " + actual + ", expected " + expected);
    }
  }
  return success();
}

}  // namespace signet::crypto::tuf
