// Semantics of Kyverno's pkg/engine/internal/imageverifier.go (verifyAttestors, verifyAttestorSet,
// ExpandStaticKeys), with signet's distinction between bad evidence and "could not tell".
#include "policy/image_verifier.hpp"

#include <algorithm>
#include <set>

#include "crypto/cosign_signature.hpp"

namespace signet::policy {
namespace {

// One entry of an attestor set after several keys in one publicKeys were expanded into one entry each.
struct ExpandedEntry {
  const Attestor* attestor = nullptr;
  const crypto::PublicKey* key = nullptr;  // null for a nested set
  std::string path;                        // "attestors[0].entries[1]"
  std::string key_name;                    // "the key of …" / "key 2 of …"
};

std::vector<ExpandedEntry> expand(const AttestorSet& set, const std::string& path) {
  std::vector<ExpandedEntry> out;
  for (std::size_t i = 0; i < set.entries.size(); ++i) {
    const Attestor& attestor = set.entries[i];
    const std::string entry_path = path + ".entries[" + std::to_string(i) + "]";
    if (attestor.keys && attestor.keys->public_keys.size() > 1) {
      const auto& keys = attestor.keys->public_keys;
      for (std::size_t k = 0; k < keys.size(); ++k) {
        out.push_back({&attestor, &keys[k], entry_path,
                       "key " + std::to_string(k + 1) + " of " + std::to_string(keys.size()) + " of " + entry_path});
      }
    } else {
      const crypto::PublicKey* key =
          attestor.keys && !attestor.keys->public_keys.empty() ? &attestor.keys->public_keys.front() : nullptr;
      out.push_back({&attestor, key, entry_path, "the key of " + entry_path});
    }
  }
  return out;
}

std::string repository_of(const Attestor& attestor, const ImageVerification& entry) {
  return attestor.repository.empty() ? entry.repository : attestor.repository;
}

void collect_repositories(const AttestorSet& set, const ImageVerification& entry, std::set<std::string>& out) {
  for (const auto& attestor : set.entries) {
    if (attestor.attestor) {
      collect_repositories(*attestor.attestor, entry, out);
    } else {
      out.insert(repository_of(attestor, entry));
    }
  }
}

std::string where(const std::string& repository) { return repository.empty() ? "" : " in " + repository; }

// The reasons every signature failed, each once; numbered when they differ.
std::string summarise(const std::vector<std::string>& reasons) {
  std::vector<std::string> distinct;
  for (const auto& reason : reasons) {
    if (std::find(distinct.begin(), distinct.end(), reason) == distinct.end()) distinct.push_back(reason);
  }
  if (distinct.size() == 1) return distinct.front();
  std::string out;
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    out += (i ? "; " : "") + std::string("signature ") + std::to_string(i + 1) + ": " + reasons[i];
  }
  return out;
}

boost::asio::awaitable<Result<void>> verify_key_entry(const ExpandedEntry& e, const ImageVerification& entry,
                                                      SignatureSource& source) {
  if (!e.attestor->keys || e.key == nullptr) {
    co_return Error::invalid(e.path + ": only keys attestors are supported");
  }
  const std::string repository = repository_of(*e.attestor, entry);
  const auto* fetched = co_await source.fetch(repository);
  if (!fetched->ok()) co_return fetched->error().context(e.path + ": fetching signatures" + where(repository));
  const auto& signatures = fetched->value();
  if (signatures.empty()) co_return Error::invalid(e.path + ": no signatures found" + where(repository));

  std::vector<std::string> reasons;
  for (const auto& signature : signatures) {
    auto checked =
        check_signature(signature, *e.key, *e.attestor->keys, e.attestor->annotations, source.image().digest);
    if (checked.ok()) co_return success();
    reasons.push_back(checked.error().message);
  }
  co_return Error::invalid("no signature verifies with " + e.key_name + ": " + summarise(reasons));
}

boost::asio::awaitable<Result<void>> verify_set(const AttestorSet& set, const std::string& path,
                                                const ImageVerification& entry, SignatureSource& source) {
  const auto entries = expand(set, path);
  const int required = set.count && *set.count > 0 ? *set.count : static_cast<int>(entries.size());
  int verified = 0, unavailable = 0;
  std::vector<Error> errors;
  for (const auto& e : entries) {
    // Plain statements: GCC 12 mishandles co_await inside a conditional expression.
    Result<void> result = success();
    if (e.attestor->attestor) {
      result = co_await verify_set(*e.attestor->attestor, e.path + ".attestor", entry, source);
    } else {
      result = co_await verify_key_entry(e, entry, source);
    }
    if (result.ok()) {
      if (++verified >= required) co_return success();
      continue;
    }
    if (result.error().kind == Error::Kind::Unavailable) ++unavailable;
    errors.push_back(result.error());
  }
  if (entries.empty()) co_return Error::invalid(path + ": no attestor entries");
  // Had the failed fetches succeeded, the set might have passed: that is "could not tell".
  const auto kind = verified + unavailable >= required ? Error::Kind::Unavailable : Error::Kind::Invalid;
  if (entries.size() == 1 && errors.size() == 1) co_return Error{kind, errors.front().message};
  std::string message =
      path + ": " + std::to_string(verified) + " of " + std::to_string(required) + " required attestors verified";
  for (std::size_t i = 0; i < errors.size(); ++i) message += (i ? "; " : ": ") + errors[i].message;
  co_return Error{kind, std::move(message)};
}

}  // namespace

SignatureSource::SignatureSource(oci::Registry& registry, oci::Reference image, oci::Pull pull)
    : registry_(registry), image_(std::move(image)), pull_(std::move(pull)) {}

boost::asio::awaitable<const Result<std::vector<oci::CosignSignature>>*> SignatureSource::fetch(
    const std::string& repository) {
  auto it = fetched_.find(repository);
  if (it == fetched_.end()) {
    std::optional<std::string> override_repository;
    if (!repository.empty()) override_repository = repository;
    auto result = co_await registry_.cosign_signatures(image_, override_repository, pull_);
    it = fetched_.emplace(repository, std::move(result)).first;
  }
  co_return &it->second;
}

Result<void> check_signature(const oci::CosignSignature& signature, const crypto::PublicKey& key,
                             const StaticKeyAttestor& keys, const std::map<std::string, std::string>& annotations,
                             std::string_view digest) {
  const auto sig = signature.annotations.find(std::string(kSignatureAnnotation));
  if (sig == signature.annotations.end()) {
    return Error::invalid("the signature layer has no " + std::string(kSignatureAnnotation) + " annotation");
  }
  const auto hash = crypto::parse_hash_algorithm(keys.signature_algorithm);
  if (!hash.ok()) return hash.error();
  auto payload = crypto::verify_cosign_signature(signature.payload, sig->second, key, *hash, digest);
  if (!payload.ok()) return payload.error();
  for (const auto& [name, wanted] : annotations) {
    const auto found = payload->optional.find(name);
    if (found == payload->optional.end()) {
      return Error::invalid("the signed payload has no annotation " + name + " (the attestor requires \"" + wanted +
                            "\")");
    }
    if (found->second != wanted) {
      return Error::invalid("annotation " + name + " is \"" + found->second + "\", the attestor requires \"" + wanted +
                            "\"");
    }
  }
  if (!keys.rekor.ignore_tlog) {
    // Verifying Rekor bundles comes later; until then a signature needing one cannot count.
    if (signature.annotations.contains(std::string(kBundleAnnotation))) {
      return Error::invalid("verifying Rekor bundles is not supported yet");
    }
    return Error::invalid("no transparency log entry (set rekor.ignoreTlog: true to verify without one)");
  }
  return success();
}

boost::asio::awaitable<Result<void>> verify_attestors(const ImageVerification& entry, SignatureSource& signatures) {
  // An image with no signature anywhere the attestors look gets one plain reason.
  std::set<std::string> repositories;
  for (const auto& set : entry.attestors) collect_repositories(set, entry, repositories);
  bool none_anywhere = !repositories.empty();
  for (const auto& repository : repositories) {
    const auto* fetched = co_await signatures.fetch(repository);
    if (!fetched->ok() || !fetched->value().empty()) none_anywhere = false;
  }
  if (none_anywhere) {
    co_return Error::invalid(repositories.size() == 1 ? "no signatures found" + where(*repositories.begin())
                                                      : std::string("no signatures found"));
  }
  for (std::size_t i = 0; i < entry.attestors.size(); ++i) {
    auto result = co_await verify_set(entry.attestors[i], "attestors[" + std::to_string(i) + "]", entry, signatures);
    if (!result.ok()) co_return result;
  }
  co_return success();
}

}  // namespace signet::policy
