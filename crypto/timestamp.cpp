#include "crypto/timestamp.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include <new>

#include "crypto/certificate.hpp"
#include "crypto/unix_time.hpp"

namespace signet::crypto {
namespace {

using TsRespPtr = std::unique_ptr<TS_RESP, Free<TS_RESP_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, Free<PKCS7_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, Free<TS_TST_INFO_free>>;
using TsVerifyCtxPtr = std::unique_ptr<TS_VERIFY_CTX, Free<TS_VERIFY_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free_all>>;

// OpenSSL's TS code puts the useful part ("Verify error:certificate has expired") in the error's data.
std::string take_ts_errors() {
  std::string text;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    if (!text.empty()) text += "; ";
    const char* reason = ERR_reason_error_string(code);
    text += reason != nullptr ? reason : "error " + std::to_string(code);
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') text += std::string(" (") + data + ")";
  }
  return text.empty() ? "no details" : text;
}

// The token inside, whether `der` is a whole TimeStampResp or a bare TimeStampToken (CMS SignedData).
Result<Pkcs7Ptr> read_token(std::string_view der) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const auto* cursor = start;
  TsRespPtr response(d2i_TS_RESP(nullptr, &cursor, static_cast<long>(der.size())));
  if (response && cursor == start + der.size()) {
    const TS_STATUS_INFO* status = TS_RESP_get_status_info(response.get());
    const long code = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
    // 0 granted, 1 granted with modifications (RFC 3161 §2.4.2).
    if (code != 0 && code != 1) {
      return Error::invalid("the timestamp authority refused the request (PKIStatus " + std::to_string(code) + ")");
    }
    PKCS7* token = TS_RESP_get_token(response.get());
    if (token == nullptr) return Error::invalid("the timestamp response carries no token");
    Pkcs7Ptr copy(PKCS7_dup(token));
    if (!copy) throw std::bad_alloc();
    return copy;
  }
  take_openssl_errors();
  cursor = start;
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &cursor, static_cast<long>(der.size())));
  if (!token || cursor != start + der.size()) {
    return Error::invalid("not an RFC 3161 timestamp: neither a TimeStampResp nor a TimeStampToken (" +
                          take_openssl_errors() + ")");
  }
  return token;
}

Result<void> verify_with(PKCS7* token, std::string_view signed_bytes, const CertificateAuthority& tsa,
                         UnixTime gen_time) {
  auto pool = pool_of(tsa);
  if (!pool) return pool.error();
  X509StorePtr store(X509_STORE_new());
  X509StackPtr certs(sk_X509_new_null());
  BioPtr data(BIO_new_mem_buf(signed_bytes.data(), static_cast<int>(signed_bytes.size())));
  TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  if (!store || !certs || !data || !ctx) throw std::bad_alloc();
  for (const auto& root : pool->roots) X509_STORE_add_cert(store.get(), root.get());
  // The TSA's certificates, leaf first: a reply that carries none (sigstore's clients do not ask for
  // them) is checked with the trusted root's chain.
  for (const auto& cert : pool->intermediates) {
    if (X509_up_ref(cert.get()) != 1 || sk_X509_push(certs.get(), cert.get()) <= 0) throw std::bad_alloc();
  }
  // The chain is checked at genTime: a TSA certificate that expired since still vouches for its past.
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             static_cast<time_t>(gen_time.time_since_epoch().count()));

  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_DATA);
  // The context owns what it is given from here.
  TS_VERIFY_CTX_set_data(ctx.get(), data.release());
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());
  TS_VERIFY_CTX_set_certs(ctx.get(), certs.release());
  if (TS_RESP_verify_token(ctx.get(), token) != 1) {
    return Error::invalid(take_ts_errors());
  }
  return success();
}

}  // namespace

Result<UnixTime> verify_rfc3161_timestamp(std::string_view der, std::string_view signed_bytes,
                                          const std::vector<CertificateAuthority>& tsas) {
  auto token = read_token(der);
  if (!token) return token.error();
  TstInfoPtr info(PKCS7_to_TS_TST_INFO(token->get()));
  if (!info) return Error::invalid("the timestamp token holds no TSTInfo (" + take_openssl_errors() + ")");
  const auto gen_time = from_asn1_time(TS_TST_INFO_get_time(info.get()));
  if (!gen_time) return Error::invalid("the timestamp's genTime is unreadable");
  const std::string when = format_utc(*gen_time);
  if (tsas.empty()) return Error::invalid("the trusted root names no timestamp authority");

  std::string tried;
  for (std::size_t i = 0; i < tsas.size(); ++i) {
    const auto& tsa = tsas[i];
    const std::string name =
        "timestampAuthorities[" + std::to_string(i) + "]" + (tsa.uri.empty() ? "" : " (" + tsa.uri + ")");
    if (!tsa.valid_for.contains(*gen_time)) {
      tried += (tried.empty() ? "" : "; ") + name + ": not valid at genTime " + when;
      continue;
    }
    auto verified = verify_with(token->get(), signed_bytes, tsa, *gen_time);
    if (verified) return *gen_time;
    tried += (tried.empty() ? "" : "; ") + name + ": " + verified.error().message;
  }
  return Error::invalid("RFC 3161 timestamp of " + when + " does not verify: " + tried);
}

}  // namespace signet::crypto
