#include "crypto/certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <new>

#include "crypto/encoding.hpp"
#include "crypto/pem.hpp"
#include "crypto/unix_time.hpp"

namespace signet::crypto {
namespace {

using X509StorePtr = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Free<X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES_free>>;
using Utf8StringPtr = std::unique_ptr<ASN1_UTF8STRING, Free<ASN1_UTF8STRING_free>>;

void free_x509_stack_shallow(STACK_OF(X509) * stack) { sk_X509_free(stack); }
using X509ViewStackPtr = std::unique_ptr<STACK_OF(X509), Free<free_x509_stack_shallow>>;

// Fulcio's arc: 1.3.6.1.4.1.57264.1.<n>.
constexpr std::string_view kFulcioArc = "1.3.6.1.4.1.57264.1.";
// The otherName SAN Fulcio gives a username identity (a UTF8String).
constexpr std::string_view kFulcioUsernameSan = "1.3.6.1.4.1.57264.1.7";

std::string text_of(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string dotted(const ASN1_OBJECT* oid) {
  char buffer[128];
  const int length = OBJ_obj2txt(buffer, sizeof buffer, oid, 1);
  if (length <= 0 || static_cast<std::size_t>(length) >= sizeof buffer) return {};
  return std::string(buffer, static_cast<std::size_t>(length));
}

// A DER UTF8String as its text; nullopt when the bytes are something else.
std::optional<std::string> utf8_string(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  Utf8StringPtr value(d2i_ASN1_UTF8STRING(nullptr, &cursor, static_cast<long>(der.size())));
  if (!value || cursor != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    take_openssl_errors();
    return std::nullopt;
  }
  return text_of(value.get());
}

std::string subject_of(X509* cert) {
  char buffer[256];
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof buffer);
  std::string subject(buffer);
  return subject.empty() ? "(empty subject)" : subject;
}

std::string pem_of(std::string_view der) {
  const std::string body = base64_encode(der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < body.size(); i += 64) pem.append(body.substr(i, 64)).append("\n");
  return pem + "-----END CERTIFICATE-----\n";
}

}  // namespace

Certificate::Certificate(X509Ptr cert, std::string der) : cert_(std::move(cert)), der_(std::move(der)) {}

Certificate::Certificate(const Certificate& other) : cert_(nullptr), der_(other.der_) {
  if (X509_up_ref(other.cert_.get()) != 1) throw std::bad_alloc();
  cert_.reset(other.cert_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) *this = Certificate(other);
  return *this;
}

Result<Certificate> Certificate::from_der(std::string_view der) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const auto* cursor = start;
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert) return Error::invalid("not a DER X.509 certificate (" + take_openssl_errors() + ")");
  if (cursor != start + der.size()) return Error::invalid("unexpected bytes after the DER certificate");
  return Certificate(std::move(cert), std::string(der));
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  auto certs = all_from_pem(pem);
  if (!certs) return certs.error();
  if (certs->size() != 1) {
    return Error::invalid("expected one PEM certificate, found " + std::to_string(certs->size()));
  }
  return std::move(certs->front());
}

Result<std::vector<Certificate>> Certificate::all_from_pem(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Error::invalid("no certificate found: the text is empty");
  }
  auto blocks = parse_pem_blocks(text);
  if (!blocks) return blocks.error().context("certificate PEM");
  std::vector<Certificate> certs;
  certs.reserve(blocks->size());
  for (const auto& block : *blocks) {
    const std::string where = "certificate PEM, line " + std::to_string(block.line);
    if (block.label != "CERTIFICATE") {
      return Error::invalid(where + ": a '" + block.label +
                            "' block is not a certificate (expected '-----BEGIN CERTIFICATE-----')");
    }
    auto cert = from_der(block.der);
    if (!cert) return cert.error().context(where);
    certs.push_back(std::move(*cert));
  }
  return certs;
}

std::string Certificate::pem() const { return pem_of(der_); }

Result<PublicKey> Certificate::public_key() const {
  unsigned char* spki = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert_.get()), &spki);
  if (length <= 0) return Error::invalid("cannot read the certificate's public key (" + take_openssl_errors() + ")");
  const std::string der(reinterpret_cast<const char*>(spki), static_cast<std::size_t>(length));
  OPENSSL_free(spki);
  auto key = PublicKey::from_der(der);
  if (!key) return key.error().context("certificate public key");
  return key;
}

UnixTime Certificate::not_before() const {
  return from_asn1_time(X509_get0_notBefore(cert_.get())).value_or(UnixTime::max());
}

UnixTime Certificate::not_after() const {
  return from_asn1_time(X509_get0_notAfter(cert_.get())).value_or(UnixTime::min());
}

bool Certificate::is_self_signed() const {
  const bool self_signed = X509_self_signed(cert_.get(), 1) == 1;
  take_openssl_errors();
  return self_signed;
}

std::vector<std::string> Certificate::subject_alternative_names() const {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> emails, uris, others;
  if (!names) return {};
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    switch (name->type) {
      case GEN_EMAIL:
        emails.push_back(text_of(name->d.rfc822Name));
        break;
      case GEN_URI:
        uris.push_back(text_of(name->d.uniformResourceIdentifier));
        break;
      case GEN_DNS:
        others.push_back(text_of(name->d.dNSName));
        break;
      case GEN_OTHERNAME: {
        const auto* other = name->d.otherName;
        if (dotted(other->type_id) == kFulcioUsernameSan && other->value->type == V_ASN1_UTF8STRING) {
          others.push_back(text_of(other->value->value.utf8string));
        }
        break;
      }
      default:
        break;
    }
  }
  std::vector<std::string> all = std::move(emails);
  all.insert(all.end(), uris.begin(), uris.end());
  all.insert(all.end(), others.begin(), others.end());
  return all;
}

std::map<std::string, std::string> Certificate::fulcio_extensions() const {
  std::map<std::string, std::string> out;
  for (int i = 0; i < X509_get_ext_count(cert_.get()); ++i) {
    X509_EXTENSION* extension = X509_get_ext(cert_.get(), i);
    const std::string oid = dotted(X509_EXTENSION_get_object(extension));
    if (!oid.starts_with(kFulcioArc)) continue;
    const std::string_view arc = std::string_view(oid).substr(kFulcioArc.size());
    int number = 0;
    for (const char c : arc) {
      if (c < '0' || c > '9' || number > 1000) {
        number = -1;
        break;
      }
      number = number * 10 + (c - '0');
    }
    if (number <= 0) continue;
    const std::string value = text_of(X509_EXTENSION_get_data(extension));
    if (number <= 6) {
      out[oid] = value;  // v1: the raw string, not DER
    } else if (auto text = utf8_string(value)) {
      out[oid] = std::move(*text);  // v2: a DER UTF8String; a malformed one is left out
    }
  }
  return out;
}

std::string Certificate::oidc_issuer() const {
  const auto extensions = fulcio_extensions();
  if (const auto v2 = extensions.find("1.3.6.1.4.1.57264.1.8"); v2 != extensions.end()) return v2->second;
  if (const auto v1 = extensions.find("1.3.6.1.4.1.57264.1.1"); v1 != extensions.end()) return v1->second;
  return {};
}

Result<CertificatePool> pool_of(const CertificateAuthority& authority) {
  if (authority.chain_der.empty())
    return Error::invalid("certificate authority " + authority.uri + " has no certificates");
  CertificatePool pool;
  for (std::size_t i = 0; i < authority.chain_der.size(); ++i) {
    auto cert = Certificate::from_der(authority.chain_der[i]);
    if (!cert)
      return cert.error().context("certificate authority " + authority.uri + " certificate " + std::to_string(i));
    if (i + 1 == authority.chain_der.size()) {
      pool.roots.push_back(std::move(*cert));
    } else {
      pool.intermediates.push_back(std::move(*cert));
    }
  }
  return pool;
}

Result<std::vector<Certificate>> verify_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                                              const CertificatePool& pool, UnixTime at, bool code_signing) {
  if (pool.roots.empty()) return Error::invalid("no trusted root certificate to verify the chain against");
  X509StorePtr store(X509_STORE_new());
  X509ViewStackPtr helpers(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !helpers || !ctx) throw std::bad_alloc();
  for (const auto& root : pool.roots) {
    if (X509_STORE_add_cert(store.get(), root.get()) != 1) {
      return Error::invalid("cannot add a root certificate to the store (" + take_openssl_errors() + ")");
    }
  }
  for (const auto* list : {&untrusted, &pool.intermediates}) {
    for (const auto& cert : *list) {
      if (sk_X509_push(helpers.get(), cert.get()) <= 0) throw std::bad_alloc();
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), helpers.get()) != 1) {
    return Error::invalid("cannot start the chain verification (" + take_openssl_errors() + ")");
  }
  // The signing time, not now: a Fulcio leaf lives ten minutes.
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at.time_since_epoch().count()));
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);

  const std::string when = " at " + format_utc(at);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
    take_openssl_errors();
    std::string message = "certificate chain does not verify" + when + ": " + X509_verify_cert_error_string(error);
    if (failing != nullptr) message += " (" + subject_of(failing) + ", depth " + std::to_string(depth) + ")";
    return Error::invalid(message);
  }
  if (code_signing) {
    const uint32_t usages = X509_get_extended_key_usage(leaf.get());
    if ((X509_get_extension_flags(leaf.get()) & EXFLAG_XKUSAGE) == 0 || (usages & XKU_CODE_SIGN) == 0) {
      return Error::invalid("the leaf certificate (" + subject_of(leaf.get()) +
                            ") lacks the codeSigning extended key usage");
    }
  }
  X509StackPtr chain(X509_STORE_CTX_get1_chain(ctx.get()));
  std::vector<Certificate> out;
  for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i) {
    X509* cert = sk_X509_value(chain.get(), i);
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    if (length <= 0) throw std::bad_alloc();
    auto copy =
        Certificate::from_der(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
    OPENSSL_free(der);
    if (!copy) return copy.error();
    out.push_back(std::move(*copy));
  }
  return out;
}

Result<std::vector<Certificate>> verify_fulcio_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                                                     const TrustedRoot& root, UnixTime at) {
  std::string tried;
  for (std::size_t i = 0; i < root.certificate_authorities.size(); ++i) {
    const auto& authority = root.certificate_authorities[i];
    if (!authority.valid_for.contains(at)) continue;
    const std::string name =
        "certificateAuthorities[" + std::to_string(i) + "]" + (authority.uri.empty() ? "" : " (" + authority.uri + ")");
    auto pool = pool_of(authority);
    if (!pool) return pool.error();
    auto chain = verify_chain(leaf, untrusted, *pool, at, true);
    if (chain) return chain;
    tried += (tried.empty() ? "" : "; ") + name + ": " + chain.error().message;
  }
  if (tried.empty()) {
    return Error::invalid("no Fulcio certificate authority of the trusted root is valid at " + format_utc(at));
  }
  return Error::invalid("the certificate does not chain to a Fulcio certificate authority: " + tried);
}

}  // namespace signet::crypto
