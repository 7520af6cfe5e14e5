#include "crypto/trusted_root.hpp"

#include <openssl/crypto.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <array>
#include <cctype>

#include "crypto/encoding.hpp"

namespace signet::crypto {
namespace {

using rapidjson::Value;

void free_openssl_bytes(unsigned char* p) { OPENSSL_free(p); }

// The protobuf-specs media type, and the newer spelling of the same schema.
constexpr std::array<std::string_view, 3> kMediaTypes = {
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.1+json",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

Result<std::string> string_field(const Value& object, const char* name, const std::string& where) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return Error::invalid(where + "." + name + " is missing");
  if (!it->value.IsString()) return Error::invalid(where + "." + name + " is not a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

Result<std::string> bytes_field(const Value& object, const char* name, const std::string& where) {
  auto text = string_field(object, name, where);
  if (!text) return text.error();
  auto bytes = base64_decode(*text);
  if (!bytes) return bytes.error().context(where + "." + name);
  if (bytes->empty()) return Error::invalid(where + "." + name + " is empty");
  return bytes;
}

Result<const Value*> object_field(const Value& object, const char* name, const std::string& where) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return Error::invalid(where + "." + name + " is missing");
  if (!it->value.IsObject()) return Error::invalid(where + "." + name + " is not an object");
  return &it->value;
}

// An absent list is an empty one (protobuf JSON omits empty repeated fields).
Result<const Value*> optional_array(const Value& object, const char* name) {
  static const Value kEmpty(rapidjson::kArrayType);
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return &kEmpty;
  if (!it->value.IsArray()) return Error::invalid(std::string(name) + " is not an array");
  return &it->value;
}

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || std::toupper(static_cast<unsigned char>(text[pos])) != c) return false;
  ++pos;
  return true;
}

struct ParsedTime {
  UnixTime seconds;
  bool has_fraction;  // a non-zero fraction of a second was cut off
};

// RFC 3339 "2022-10-31T23:59:59.999Z" or with a "+02:00" offset.
std::optional<ParsedTime> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, day) || !expect(text, pos, 'T') ||
      !read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
      !expect(text, pos, ':') || !read_digits(text, pos, 2, second)) {
    return std::nullopt;
  }
  bool has_fraction = false;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (text[pos] != '0') has_fraction = true;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, om)) {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else if (!expect(text, pos, 'Z')) {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  // Second 60 is a leap second; sigstore's times never carry one.
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const UnixTime at = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                      std::chrono::minutes(minute - offset_minutes) + std::chrono::seconds(second);
  return ParsedTime{at, has_fraction};
}

// Times are kept in whole seconds; a fractional bound is narrowed (start rounded up, end down) so the
// period never grows by the rounding.
Result<ValidityPeriod> parse_validity(const Value& parent, const std::string& where) {
  const std::string field = where + ".validFor";
  auto valid_for = object_field(parent, "validFor", where);
  if (!valid_for) return valid_for.error();
  auto start_text = string_field(**valid_for, "start", field);
  if (!start_text) return start_text.error();
  const auto start = parse_rfc3339(*start_text);
  if (!start) return Error::invalid(field + ".start: '" + *start_text + "' is not an RFC 3339 time");
  ValidityPeriod period{start->has_fraction ? start->seconds + std::chrono::seconds(1) : start->seconds, std::nullopt};
  // protobuf JSON writes an unset field as null (sigstore-python's exports do): no end.
  const auto end_member = (*valid_for)->FindMember("end");
  if (end_member != (*valid_for)->MemberEnd() && !end_member->value.IsNull()) {
    auto end_text = string_field(**valid_for, "end", field);
    if (!end_text) return end_text.error();
    const auto end = parse_rfc3339(*end_text);
    if (!end) return Error::invalid(field + ".end: '" + *end_text + "' is not an RFC 3339 time");
    if (end->seconds < period.start) {
      return Error::invalid(field + ": end " + *end_text + " is before start " + *start_text);
    }
    period.end = end->seconds;
  }
  return period;
}

// PKCS1_RSA_* keys are a bare RSAPublicKey; everything else is a DER SubjectPublicKeyInfo.
Result<PublicKey> key_from_raw(std::string_view raw, std::string_view details) {
  if (!details.starts_with("PKCS1_RSA")) return PublicKey::from_der(raw);
  const auto* cursor = reinterpret_cast<const unsigned char*>(raw.data());
  PKey key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, static_cast<long>(raw.size())));
  if (!key) return Error::invalid("not a PKCS#1 RSA public key (" + take_openssl_errors() + ")");
  unsigned char* spki = nullptr;
  const int length = i2d_PUBKEY(key.get(), &spki);
  if (length <= 0) return Error::invalid("cannot re-encode the RSA key (" + take_openssl_errors() + ")");
  const std::unique_ptr<unsigned char, Free<free_openssl_bytes>> owner(spki);
  return PublicKey::from_der(std::string_view(reinterpret_cast<const char*>(spki), static_cast<std::size_t>(length)));
}

// What a keyDetails value promises, as PublicKey describes it; "" for a value signet does not know.
std::string_view expected_description(std::string_view details) {
  // PublicKey verifies RSA with PKCS#1 v1.5 only.
  if (details.find("PSS") != std::string_view::npos) return {};
  if (details.starts_with("PKIX_ECDSA_P256")) return "ECDSA P-256";
  if (details.starts_with("PKIX_ECDSA_P384")) return "ECDSA P-384";
  if (details.starts_with("PKIX_ECDSA_P521")) return "ECDSA P-521";
  if (details == "PKIX_ED25519") return "Ed25519";
  if (details.starts_with("PKIX_RSA") || details.starts_with("PKCS1_RSA")) return "RSA";
  return {};
}

Result<PublicKey> parse_key(const Value& key_object, const std::string& where) {
  std::string details;
  if (key_object.HasMember("keyDetails")) {
    auto value = string_field(key_object, "keyDetails", where);
    if (!value) return value.error();
    details = std::move(*value);
  }
  auto raw = bytes_field(key_object, "rawBytes", where);
  if (!raw) return raw.error();
  auto key = key_from_raw(*raw, details);
  if (!key) return key.error().context(where + ".rawBytes");
  if (!details.empty()) {
    const auto expected = expected_description(details);
    if (expected.empty()) {
      return Error::invalid(where + ".keyDetails: " + details +
                            " is not a key type signet verifies with (ECDSA P-256/P-384/P-521, Ed25519, RSA)");
    }
    if (!key->description().starts_with(expected)) {
      return Error::invalid(where + ".keyDetails says " + details + " but rawBytes hold an " + key->description() +
                            " key");
    }
  }
  return key;
}

Result<void> check_hash_algorithm(const Value& log, const std::string& where) {
  if (!log.HasMember("hashAlgorithm")) return success();
  auto hash = string_field(log, "hashAlgorithm", where);
  if (!hash) return hash.error();
  if (*hash != "SHA2_256") {
    return Error::invalid(where + ".hashAlgorithm: " + *hash + " is not supported (logs use SHA2_256)");
  }
  return success();
}

Result<TransparencyLog> parse_log(const Value& log, const std::string& where) {
  if (!log.IsObject()) return Error::invalid(where + " is not an object");
  std::string base_url;
  if (log.HasMember("baseUrl")) {
    auto url = string_field(log, "baseUrl", where);
    if (!url) return url.error();
    base_url = std::move(*url);
  }
  if (auto hash = check_hash_algorithm(log, where); !hash) return hash.error();
  auto key_object = object_field(log, "publicKey", where);
  if (!key_object) return key_object.error();
  auto key = parse_key(**key_object, where + ".publicKey");
  if (!key) return key.error();
  auto valid_for = parse_validity(**key_object, where + ".publicKey");
  if (!valid_for) return valid_for.error();
  auto log_id = object_field(log, "logId", where);
  if (!log_id) return log_id.error();
  auto key_id = bytes_field(**log_id, "keyId", where + ".logId");
  if (!key_id) return key_id.error();
  return TransparencyLog{std::move(base_url), std::move(*key_id), std::move(*key), *valid_for};
}

Result<CertificateAuthority> parse_authority(const Value& authority, const std::string& where) {
  if (!authority.IsObject()) return Error::invalid(where + " is not an object");
  CertificateAuthority out{};
  if (authority.HasMember("uri")) {
    auto uri = string_field(authority, "uri", where);
    if (!uri) return uri.error();
    out.uri = std::move(*uri);
  }
  auto chain = object_field(authority, "certChain", where);
  if (!chain) return chain.error();
  const auto certificates = (*chain)->FindMember("certificates");
  if (certificates == (*chain)->MemberEnd() || !certificates->value.IsArray() || certificates->value.Empty()) {
    return Error::invalid(where + ".certChain.certificates is missing or empty");
  }
  for (rapidjson::SizeType i = 0; i < certificates->value.Size(); ++i) {
    const std::string item_where = where + ".certChain.certificates[" + std::to_string(i) + "]";
    const auto& item = certificates->value[i];
    if (!item.IsObject()) return Error::invalid(item_where + " is not an object");
    auto der = bytes_field(item, "rawBytes", item_where);
    if (!der) return der.error();
    // Parsed here so a broken root is refused when it is loaded, not when a signature needs it.
    const auto* cursor = reinterpret_cast<const unsigned char*>(der->data());
    const std::unique_ptr<X509, Free<X509_free>> cert(d2i_X509(nullptr, &cursor, static_cast<long>(der->size())));
    if (!cert || cursor != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
      return Error::invalid(item_where + ".rawBytes is not a DER certificate (" + take_openssl_errors() + ")");
    }
    out.chain_der.push_back(std::move(*der));
  }
  auto valid_for = parse_validity(authority, where);
  if (!valid_for) return valid_for.error();
  out.valid_for = *valid_for;
  return out;
}

template <class T, class Parse>
Result<std::vector<T>> parse_list(const Value& doc, const char* name, Parse parse) {
  auto items = optional_array(doc, name);
  if (!items) return items.error();
  std::vector<T> out;
  for (rapidjson::SizeType i = 0; i < (*items)->Size(); ++i) {
    auto item = parse((**items)[i], std::string(name) + "[" + std::to_string(i) + "]");
    if (!item) return item.error();
    out.push_back(std::move(*item));
  }
  return out;
}

const TransparencyLog* find_log(const std::vector<TransparencyLog>& logs, std::string_view log_id) {
  for (const auto& log : logs) {
    if (log.log_id == log_id) return &log;
  }
  return nullptr;
}

}  // namespace

const TransparencyLog* TrustedRoot::find_tlog(std::string_view log_id) const { return find_log(tlogs, log_id); }
const TransparencyLog* TrustedRoot::find_ctlog(std::string_view log_id) const { return find_log(ctlogs, log_id); }

Result<TrustedRoot> parse_trusted_root(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("trusted root is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Error::invalid("trusted root is not a JSON object");
  const auto media_type = doc.FindMember("mediaType");
  if (media_type == doc.MemberEnd() || !media_type->value.IsString()) {
    return Error::invalid("mediaType is missing: expected " + std::string(kMediaTypes[0]));
  }
  const std::string_view type(media_type->value.GetString(), media_type->value.GetStringLength());
  bool known = false;
  for (const auto candidate : kMediaTypes) known = known || type == candidate;
  if (!known) {
    return Error::invalid("mediaType: '" + std::string(type) + "' is not a trusted root (expected " +
                          std::string(kMediaTypes[0]) + ")");
  }

  TrustedRoot root;
  auto authorities = parse_list<CertificateAuthority>(doc, "certificateAuthorities", parse_authority);
  if (!authorities) return authorities.error();
  root.certificate_authorities = std::move(*authorities);
  auto tlogs = parse_list<TransparencyLog>(doc, "tlogs", parse_log);
  if (!tlogs) return tlogs.error();
  root.tlogs = std::move(*tlogs);
  auto ctlogs = parse_list<TransparencyLog>(doc, "ctlogs", parse_log);
  if (!ctlogs) return ctlogs.error();
  root.ctlogs = std::move(*ctlogs);
  auto tsas = parse_list<CertificateAuthority>(doc, "timestampAuthorities", parse_authority);
  if (!tsas) return tsas.error();
  root.timestamp_authorities = std::move(*tsas);
  return root;
}

const TrustedRoot& public_good_trusted_root() {
  // A build without the embedded root trusts nothing rather than failing at start-up; keyless
  // verification then fails, saying no certificate authority is valid.
  static const TrustedRoot root = [] {
    auto parsed = parse_trusted_root(public_good_trusted_root_json());
    return parsed ? std::move(*parsed) : TrustedRoot{};
  }();
  return root;
}

}  // namespace signet::crypto
