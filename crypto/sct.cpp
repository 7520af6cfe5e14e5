#include "crypto/sct.hpp"

#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <new>

#include "crypto/digest.hpp"
#include "crypto/encoding.hpp"
#include "crypto/unix_time.hpp"

// OpenSSL 3.0 can parse SCTs and check them (SCT_validate), but only against a CTLOG_STORE, which it
// fills from a configuration file alone; the trusted root's keys are in memory. So OpenSSL reads the SCT
// list and re-encodes the precertificate, and the RFC 6962 signed structure is assembled here.

namespace signet::crypto {
namespace {

void free_sct_list(STACK_OF(SCT) * list) { SCT_LIST_free(list); }
using SctListPtr = std::unique_ptr<STACK_OF(SCT), Free<free_sct_list>>;

void append_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::string view_bytes(const unsigned char* data, std::size_t length) {
  return std::string(reinterpret_cast<const char*>(data), length);
}

// The TBSCertificate the log signed: the leaf's, without its SCT list extension (RFC 6962 §3.2; Fulcio
// issues the precertificate from the same CA, so issuer and AKI need no rewriting).
Result<std::string> precertificate_tbs(const Certificate& leaf) {
  X509Ptr copy(X509_dup(leaf.get()));
  if (!copy) throw std::bad_alloc();
  const int index = X509_get_ext_by_NID(copy.get(), NID_ct_precert_scts, -1);
  if (index < 0) return Error::invalid("the certificate has no embedded SCTs");
  X509_EXTENSION_free(X509_delete_ext(copy.get(), index));
  unsigned char* der = nullptr;
  const int length = i2d_re_X509_tbs(copy.get(), &der);
  if (length <= 0) return Error::invalid("cannot re-encode the precertificate (" + take_openssl_errors() + ")");
  std::string tbs = view_bytes(der, static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return tbs;
}

// RFC 6962 §3.2 digitally-signed struct for a precert_entry.
std::string signed_data(const SCT* sct, std::string_view issuer_key_hash, std::string_view tbs) {
  std::string out;
  out.push_back(0);  // sct_version v1
  out.push_back(0);  // signature_type certificate_timestamp
  append_be(out, SCT_get_timestamp(sct), 8);
  append_be(out, 1, 2);  // entry_type precert_entry
  out.append(issuer_key_hash);
  append_be(out, tbs.size(), 3);
  out.append(tbs);
  unsigned char* extensions = nullptr;
  const std::size_t extensions_length = SCT_get0_extensions(sct, &extensions);
  append_be(out, extensions_length, 2);
  if (extensions_length > 0) out.append(view_bytes(extensions, extensions_length));
  return out;
}

Result<void> verify_one(const SCT* sct, std::string_view issuer_key_hash, std::string_view tbs,
                        const std::vector<TransparencyLog>& ctlogs) {
  if (SCT_get_version(sct) != SCT_VERSION_V1) return Error::invalid("not a v1 SCT");
  unsigned char* id = nullptr;
  const std::size_t id_length = SCT_get0_log_id(sct, &id);
  const std::string log_id = view_bytes(id, id_length);
  const std::string log_hex = hex_encode(log_id);
  const TransparencyLog* log = nullptr;
  for (const auto& candidate : ctlogs) {
    if (candidate.log_id == log_id) log = &candidate;
  }
  if (log == nullptr) return Error::invalid("SCT from CT log " + log_hex + ", which the trusted root does not name");
  // Milliseconds; the log must have been trusted when it issued the SCT.
  const UnixTime when{std::chrono::seconds(SCT_get_timestamp(sct) / 1000)};
  if (!log->valid_for.contains(when)) {
    return Error::invalid("SCT from CT log " + log_hex + " dated " + format_utc(when) +
                          ", outside the log's validity in the trusted root");
  }
  const int nid = SCT_get_signature_nid(sct);
  if (nid != NID_ecdsa_with_SHA256 && nid != NID_sha256WithRSAEncryption) {
    return Error::invalid("SCT from CT log " + log_hex + " has an unsupported signature algorithm");
  }
  unsigned char* signature = nullptr;
  const std::size_t signature_length = SCT_get0_signature(sct, &signature);
  auto verified = log->key.verify(signed_data(sct, issuer_key_hash, tbs), view_bytes(signature, signature_length),
                                  HashAlgorithm::Sha256);
  if (!verified) return verified.error().context("SCT from CT log " + log_hex);
  return success();
}

}  // namespace

Result<void> verify_embedded_scts(const Certificate& leaf, const Certificate& issuer,
                                  const std::vector<TransparencyLog>& ctlogs) {
  SctListPtr scts(static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(leaf.get(), NID_ct_precert_scts, nullptr, nullptr)));
  take_openssl_errors();
  if (!scts || sk_SCT_num(scts.get()) == 0) {
    return Error::invalid("the certificate carries no embedded SCT (signed certificate timestamp)");
  }
  auto tbs = precertificate_tbs(leaf);
  if (!tbs) return tbs.error();
  auto issuer_key = issuer.public_key();
  if (!issuer_key) return issuer_key.error().context("SCT issuer");
  const std::string raw_hash = sha256_bytes(issuer_key->der());

  std::string failures;
  for (int i = 0; i < sk_SCT_num(scts.get()); ++i) {
    auto verified = verify_one(sk_SCT_value(scts.get(), i), raw_hash, *tbs, ctlogs);
    if (verified) return success();
    failures += (failures.empty() ? "" : "; ") + verified.error().message;
  }
  return Error::invalid("no embedded SCT verifies: " + failures);
}

}  // namespace signet::crypto
