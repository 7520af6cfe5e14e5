#include "policy/trust_material.hpp"

#include <atomic>

#include "crypto/digest.hpp"

namespace signet::policy {
namespace {

std::atomic<std::shared_ptr<const crypto::TrustedRoot>>& configured_root() {
  static std::atomic<std::shared_ptr<const crypto::TrustedRoot>> root;
  return root;
}

constexpr crypto::ValidityPeriod kForever{crypto::UnixTime{}, std::nullopt};

// Logs named only by a key get the key's SHA-256 as their id, as Rekor and CT logs derive theirs.
std::vector<crypto::TransparencyLog> logs_of(const std::vector<crypto::PublicKey>& keys, const std::string& url) {
  std::vector<crypto::TransparencyLog> logs;
  for (const auto& key : keys) {
    logs.push_back({url, crypto::sha256_bytes(key.der()), key, kForever});
  }
  return logs;
}

crypto::CertificateAuthority authority_of(const std::vector<crypto::Certificate>& chain) {
  crypto::CertificateAuthority authority{"policy", {}, kForever};
  for (const auto& certificate : chain) authority.chain_der.push_back(certificate.der());
  return authority;
}

}  // namespace

void set_trusted_root(std::shared_ptr<const crypto::TrustedRoot> root) { configured_root().store(std::move(root)); }

std::shared_ptr<const crypto::TrustedRoot> trusted_root() {
  if (auto root = configured_root().load()) return root;
  // The embedded root lives for the whole process: a shared_ptr that does not own it.
  return std::shared_ptr<const crypto::TrustedRoot>(std::shared_ptr<void>(), &crypto::public_good_trusted_root());
}

crypto::TrustedRoot with_overrides(const crypto::TrustedRoot& base, const std::vector<crypto::Certificate>& roots,
                                   const Rekor& rekor, const CTLog& ctlog) {
  crypto::TrustedRoot root = base;
  if (!roots.empty()) root.certificate_authorities = {authority_of(roots)};
  if (!rekor.pubkeys.empty()) root.tlogs = logs_of(rekor.pubkeys, rekor.url);
  if (!ctlog.pubkeys.empty()) root.ctlogs = logs_of(ctlog.pubkeys, "");
  if (!ctlog.tsa_chain.empty()) root.timestamp_authorities = {authority_of(ctlog.tsa_chain)};
  return root;
}

}  // namespace signet::policy
