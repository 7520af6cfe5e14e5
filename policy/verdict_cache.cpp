#include "policy/verdict_cache.hpp"

#include "crypto/digest.hpp"

namespace signet::policy {

VerdictCache::VerdictCache(VerdictCacheOptions options) : options_(options), verdicts_(options.max_entries) {}

std::string VerdictCache::key(const oci::Reference& image, const std::string& digest, const std::string& fingerprint) {
  // A hash of repository, digest and fingerprint: shorter than the three (about 160 bytes) side by side.
  crypto::Sha256 hash;
  hash.update(image.name());
  hash.update("@");
  hash.update(digest);
  hash.update("|");
  hash.update(fingerprint);
  return hash.final();
}

Result<void> VerdictCache::to_result(const Verdict& verdict) {
  if (verdict.passed) return success();
  return Error::invalid(verdict.message);
}

void VerdictCache::remember(const std::string& key, const Verdict& verdict) {
  verdicts_.put(key, verdict, verdict.passed ? options_.pass_ttl : options_.failure_ttl);
}

}  // namespace signet::policy
