// Semantics of Kyverno's pkg/engine/internal/imageverifier.go (verifyAttestors, verifyAttestorSet,
// ExpandStaticKeys), with signet's distinction between bad evidence and "could not tell".
#include "policy/image_verifier.hpp"

#include <algorithm>
#include <set>

#include "crypto/dsse.hpp"
#include "crypto/encoding.hpp"
#include "crypto/simple_signing.hpp"
#include "policy/cosign_evidence.hpp"
#include "policy/signer_identity.hpp"
#include "policy/trust_material.hpp"

namespace signet::policy {
namespace {

// One entry of an attestor set, named as written in the policy (the loader gave each key of a publicKeys
// an entry of its own: AttestorSet::add).
struct NamedEntry {
  const Attestor* attestor = nullptr;
  const crypto::PublicKey* key = nullptr;  // null for a nested set
  std::string path;                        // "attestors[0].entries[1]"
  std::string key_name;                    // "the key of …" / "key 2 of …"
};

std::vector<NamedEntry> entries_of(const AttestorSet& set, const std::string& path) {
  std::vector<NamedEntry> out;
  for (const Attestor& attestor : set.entries) {
    const std::string entry_path = path + ".entries[" + std::to_string(attestor.written_index) + "]";
    const crypto::PublicKey* key =
        attestor.keys && !attestor.keys->public_keys.empty() ? &attestor.keys->public_keys.front() : nullptr;
    const char* what = attestor.keyless        ? "the keyless signer of "
                       : attestor.certificates ? "the certificate of "
                                               : "the key of ";
    std::string name = attestor.key_count > 1 ? "key " + std::to_string(attestor.key_number) + " of " +
                                                    std::to_string(attestor.key_count) + " of " + entry_path
                                              : what + entry_path;
    out.push_back({&attestor, key, entry_path, std::move(name)});
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

// Bundle artifact types: v0.1/v0.2's "application/vnd.dev.sigstore.bundle+json;version=0.x" and v0.3's
// "application/vnd.dev.sigstore.bundle.v0.3+json", which cosign, GitHub and @sigstore/oci write for all.
bool is_sigstore_bundle_type(std::string_view artifact_type) {
  constexpr std::string_view kVersioned = "application/vnd.dev.sigstore.bundle.v";
  return artifact_type.starts_with(crypto::kSigstoreBundleMediaType) ||
         (artifact_type.starts_with(kVersioned) && artifact_type.ends_with("+json"));
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

using Leaf = std::function<boost::asio::awaitable<Result<void>>(const NamedEntry&)>;

// The trusted root one attestor verifies against: the process's, or (kept in `storage`) a copy with the
// parts the attestor overrides.
const crypto::TrustedRoot& root_for(const crypto::TrustedRoot& base, std::optional<crypto::TrustedRoot>& storage,
                                    const std::vector<crypto::Certificate>& roots, const Rekor& rekor,
                                    const CTLog& ctlog) {
  if (roots.empty() && rekor.pubkeys.empty() && ctlog.pubkeys.empty() && ctlog.tsa_chain.empty()) return base;
  return storage.emplace(with_overrides(base, roots, rekor, ctlog));
}

crypto::VerifyOptions options_of(const Rekor& rekor, const CTLog& ctlog) {
  return {!rekor.ignore_tlog, !ctlog.ignore_sct, crypto::HashAlgorithm::Sha256, std::nullopt};
}

// The certificates attestor's chain as a pool: self-signed certificates are its roots.
crypto::CertificatePool pool_of(const std::vector<crypto::Certificate>& chain) {
  crypto::CertificatePool pool;
  for (const auto& certificate : chain) {
    (certificate.is_self_signed() ? pool.roots : pool.intermediates).push_back(certificate);
  }
  return pool;
}

// Each signature of the entry's kind checked against one attestor entry, in the order found.
boost::asio::awaitable<Result<std::vector<Result<void>>>> checked_signatures(const NamedEntry& e,
                                                                             const ImageVerification& entry,
                                                                             EvidenceSource& source) {
  std::vector<Result<void>> checked;
  const std::string& digest = source.image().digest;
  if (entry.type == VerificationType::SigstoreBundle) {
    const auto* fetched = co_await source.bundles();
    if (!fetched->ok()) co_return fetched->error().context(e.path + ": fetching sigstore bundles");
    for (const auto& bundle : fetched->value()) checked.push_back(check_bundle(bundle, *e.attestor, e.key, digest));
    co_return checked;
  }
  const std::string repository = repository_of(*e.attestor, entry);
  const auto* fetched = co_await source.signatures(repository);
  if (!fetched->ok()) co_return fetched->error().context(e.path + ": fetching signatures" + where(repository));
  for (const auto& layer : fetched->value()) checked.push_back(check_signature(layer, *e.attestor, e.key, digest));
  co_return checked;
}

boost::asio::awaitable<Result<void>> verify_signature_entry(const NamedEntry& e, const ImageVerification& entry,
                                                            EvidenceSource& source) {
  auto checked = co_await checked_signatures(e, entry, source);
  if (!checked) co_return checked.error();
  if (checked->empty()) {
    const std::string what = entry.type == VerificationType::SigstoreBundle ? "sigstore bundles" : "signatures";
    co_return Error::invalid(e.path + ": no " + what + " found" + where(repository_of(*e.attestor, entry)));
  }
  std::vector<std::string> reasons;
  for (const auto& result : *checked) {
    if (result.ok()) co_return success();
    reasons.push_back(result.error().message);
  }
  co_return Error::invalid("no signature verifies with " + e.key_name + ": " + summarise(reasons));
}

// The in-toto statement an envelope holds, when it is one (payloadType, _type, predicateType).
Result<json::Value> in_toto_statement(const crypto::DsseEnvelope& envelope) {
  if (envelope.payload_type != crypto::kInTotoPayloadType) {
    return Error::invalid("the envelope's payloadType is \"" + envelope.payload_type + "\", not " +
                          std::string(crypto::kInTotoPayloadType));
  }
  auto statement = json::parse(envelope.payload);
  if (!statement) return statement.error().context("the in-toto statement");
  const json::Value* type = statement->find("_type");
  if (type == nullptr || !type->is_string() || type->as_string().rfind("https://in-toto.io/Statement/", 0) != 0) {
    return Error::invalid("the payload is not an in-toto Statement (its _type is not https://in-toto.io/Statement/…)");
  }
  const json::Value* predicate_type = statement->find("predicateType");
  if (predicate_type == nullptr || !predicate_type->is_string()) {
    return Error::invalid("the in-toto statement has no predicateType");
  }
  return statement;
}

// The in-toto statement of one evidence with a DSSE envelope, when it verifies with the attestor (key,
// certificate or keyless signer, and the tlog requirement) and is about `digest`.
Result<json::Value> verified_statement(const crypto::SignatureEvidence& evidence, const Attestor& attestor,
                                       const crypto::PublicKey* key, std::string_view digest) {
  if (!evidence.envelope) return Error::invalid("the bundle holds a message signature, not an attestation");
  if (auto verified = verify_evidence(evidence, attestor, key); !verified) return verified.error();
  auto statement = in_toto_statement(*evidence.envelope);
  if (!statement) return statement;
  if (auto subject = check_statement_subject(*statement, digest); !subject) return subject.error();
  return statement;
}

// The verified statements of the entry's kind (cosign `.att` layers or sigstore bundles), or why each is
// not one.
boost::asio::awaitable<Result<std::vector<Result<json::Value>>>> checked_statements(const NamedEntry& e,
                                                                                    const ImageVerification& entry,
                                                                                    EvidenceSource& source) {
  std::vector<Result<json::Value>> checked;
  const std::string& digest = source.image().digest;
  if (entry.type == VerificationType::SigstoreBundle) {
    const auto* fetched = co_await source.bundles();
    if (!fetched->ok()) co_return fetched->error().context(e.path + ": fetching sigstore bundles");
    for (const auto& bundle : fetched->value()) {
      if (!bundle.dsse_envelope) continue;  // a signature, not an attestation
      auto evidence = crypto::evidence_from_bundle(bundle);
      checked.push_back(evidence ? verified_statement(*evidence, *e.attestor, e.key, digest)
                                 : Result<json::Value>(evidence.error()));
    }
    co_return checked;
  }
  const std::string repository = repository_of(*e.attestor, entry);
  const auto* fetched = co_await source.attestations(repository);
  if (!fetched->ok()) co_return fetched->error().context(e.path + ": fetching attestations" + where(repository));
  for (const auto& layer : fetched->value()) {
    auto evidence = attestation_evidence(layer);
    checked.push_back(evidence ? verified_statement(*evidence, *e.attestor, e.key, digest)
                               : Result<json::Value>(evidence.error()));
  }
  co_return checked;
}

// One attestor entry of an attestation: an attestation of the wanted type signed with the entry's key,
// and every such statement passing `check` (Kyverno checks every statement of the type).
boost::asio::awaitable<Result<void>> verify_attestation_entry(const NamedEntry& e, const Attestation& attestation,
                                                              const ImageVerification& entry, EvidenceSource& source,
                                                              const StatementCheck& check) {
  auto checked = co_await checked_statements(e, entry, source);
  if (!checked) co_return checked.error();
  if (checked->empty()) {
    co_return Error::invalid(e.path + ": no attestations found" + where(repository_of(*e.attestor, entry)));
  }

  std::vector<json::Value> statements;
  std::vector<std::string> reasons;
  std::set<std::string> other_types;
  for (auto& statement : *checked) {
    if (!statement) {
      reasons.push_back(statement.error().message);
      continue;
    }
    const std::string& type = statement->find("predicateType")->as_string();
    if (type == attestation.predicate_type) {
      statements.push_back(std::move(*statement));
    } else {
      other_types.insert(type);
    }
  }
  if (statements.empty()) {
    std::string message =
        e.path + ": no attestation of type " + attestation.predicate_type + " verifies with " + e.key_name;
    if (!other_types.empty()) {
      message += " (it verifies attestations of type";
      for (const auto& type : other_types) message += " " + type;
      message += ")";
    }
    if (!reasons.empty()) message += ": " + summarise(reasons);
    co_return Error::invalid(std::move(message));
  }
  for (const auto& statement : statements) {
    if (auto checked = check(attestation, statement, source.image()); !checked) {
      co_return Error{checked.error().kind, e.path + ": " + checked.error().message};
    }
  }
  co_return success();
}

boost::asio::awaitable<Result<void>> verify_set(const AttestorSet& set, const std::string& path, const Leaf& leaf) {
  const auto entries = entries_of(set, path);
  const int required = set.required_count();
  int verified = 0, unavailable = 0;
  std::vector<Error> errors;
  for (const auto& e : entries) {
    // Plain statements: GCC 12 mishandles co_await inside a conditional expression.
    Result<void> result = success();
    if (e.attestor->attestor) {
      result = co_await verify_set(*e.attestor->attestor, e.path + ".attestor", leaf);
    } else {
      result = co_await leaf(e);
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

EvidenceSource::EvidenceSource(oci::Registry& registry, oci::Reference image, oci::Pull pull)
    : registry_(registry), image_(std::move(image)), pull_(std::move(pull)) {}

boost::asio::awaitable<const EvidenceSource::Layers*> EvidenceSource::signatures(const std::string& repository) {
  co_return co_await read(signatures_, &oci::Registry::cosign_signatures, repository);
}

boost::asio::awaitable<const EvidenceSource::Layers*> EvidenceSource::attestations(const std::string& repository) {
  co_return co_await read(attestations_, &oci::Registry::cosign_attestations, repository);
}

boost::asio::awaitable<const EvidenceSource::Bundles*> EvidenceSource::bundles() {
  if (!bundles_) {
    bundles_ = co_await read_bundles();
  }
  co_return &*bundles_;
}

boost::asio::awaitable<EvidenceSource::Bundles> EvidenceSource::read_bundles() {
  auto referrers = co_await registry_.referrers(image_, "", pull_);
  if (!referrers) co_return referrers.error();
  std::vector<crypto::SigstoreBundle> bundles;
  for (const auto& referrer : *referrers) {
    if (!is_sigstore_bundle_type(referrer.artifact_type)) continue;
    oci::Reference artifact = image_;
    artifact.tag.clear();
    artifact.digest = referrer.digest;
    auto layers = co_await registry_.artifact_layers(artifact, pull_);
    if (!layers) co_return layers.error().context("the sigstore bundle " + referrer.digest);
    if (layers->empty()) co_return Error::invalid("the sigstore bundle " + referrer.digest + " has no layer");
    auto bundle = crypto::parse_sigstore_bundle(layers->front().payload);
    if (!bundle) co_return bundle.error().context("the sigstore bundle " + referrer.digest);
    bundles.push_back(std::move(*bundle));
  }
  co_return bundles;
}

boost::asio::awaitable<const EvidenceSource::Layers*> EvidenceSource::read(std::map<std::string, Layers>& cache,
                                                                           CosignRead what,
                                                                           const std::string& repository) {
  auto it = cache.find(repository);
  if (it == cache.end()) {
    std::optional<std::string> override_repository;
    if (!repository.empty()) override_repository = repository;
    auto result = co_await (registry_.*what)(image_, override_repository, pull_);
    it = cache.emplace(repository, std::move(result)).first;
  }
  co_return &it->second;
}

Result<crypto::VerifiedSignature> verify_evidence(const crypto::SignatureEvidence& evidence, const Attestor& attestor,
                                                  const crypto::PublicKey* key) {
  const auto base = trusted_root();
  std::optional<crypto::TrustedRoot> overridden;
  if (attestor.keys) {
    const StaticKeyAttestor& keys = *attestor.keys;
    if (key == nullptr) return Error::invalid("the keys attestor has no key");
    auto options = options_of(keys.rekor, keys.ctlog);
    const auto hash = crypto::parse_hash_algorithm(keys.signature_algorithm);
    if (!hash.ok()) return hash.error();
    options.hash = *hash;
    return crypto::verify_with_key(evidence, *key, root_for(*base, overridden, {}, keys.rekor, keys.ctlog), options);
  }
  if (attestor.keyless) {
    const KeylessAttestor& keyless = *attestor.keyless;
    const auto& root = root_for(*base, overridden, keyless.roots, keyless.rekor, keyless.ctlog);
    auto verified = crypto::verify_with_certificate_authority(evidence, root, options_of(keyless.rekor, keyless.ctlog));
    if (!verified) return verified;
    if (auto identity = check_signer_identity(*verified->certificate, keyless); !identity) return identity.error();
    return verified;
  }
  if (attestor.certificates) {
    const CertificateAttestor& certificates = *attestor.certificates;
    return crypto::verify_with_certificate(evidence, certificates.cert, pool_of(certificates.cert_chain),
                                           root_for(*base, overridden, {}, certificates.rekor, certificates.ctlog),
                                           options_of(certificates.rekor, certificates.ctlog));
  }
  return Error::invalid("the attestor has no keys, keyless or certificates");
}

Result<void> check_bundle(const crypto::SigstoreBundle& bundle, const Attestor& attestor, const crypto::PublicKey* key,
                          std::string_view digest) {
  auto evidence = crypto::evidence_from_bundle(bundle);
  if (!evidence) return evidence.error();
  if (evidence->envelope) {
    auto statement = verified_statement(*evidence, attestor, key, digest);
    if (!statement) return statement.error();
    return success();
  }
  // A message signature over the image: its digest is the manifest's.
  const std::string signed_digest = "sha256:" + crypto::hex_encode(evidence->payload_sha256);
  if (signed_digest != digest)
    return Error::invalid("the bundle signs " + signed_digest + ", not " + std::string(digest));
  if (auto verified = verify_evidence(*evidence, attestor, key); !verified) return verified.error();
  return success();
}

Result<json::Value> verified_statement(const oci::CosignLayer& layer, const Attestor& attestor,
                                       const crypto::PublicKey* key) {
  auto evidence = attestation_evidence(layer);
  if (!evidence) return evidence.error();
  if (auto verified = verify_evidence(*evidence, attestor, key); !verified) return verified.error();
  return in_toto_statement(*evidence->envelope);
}

Result<void> check_statement_subject(const json::Value& statement, std::string_view digest) {
  // The statement must be about this image: a subject whose sha256 is the image's digest.
  const std::string_view hex = digest.substr(digest.find(':') + 1);
  const json::Value* subjects = statement.find("subject");
  if (subjects != nullptr && subjects->is_array()) {
    for (const auto& subject : subjects->as_array()) {
      const json::Value* digests = subject.find("digest");
      const json::Value* sha256 = digests != nullptr ? digests->find("sha256") : nullptr;
      if (sha256 != nullptr && sha256->is_string() && sha256->as_string() == hex) return success();
    }
  }
  return Error::invalid("the in-toto statement's subject does not name " + std::string(digest));
}

Result<void> check_signature(const oci::CosignSignature& signature, const Attestor& attestor,
                             const crypto::PublicKey* key, std::string_view digest) {
  auto evidence = signature_evidence(signature);
  if (!evidence) return evidence.error();
  if (auto verified = verify_evidence(*evidence, attestor, key); !verified) return verified.error();
  // Nothing in the payload is looked at before the signature over it has been verified.
  auto payload = crypto::parse_simple_signing(signature.payload);
  if (!payload) return payload.error().context("the signed payload");
  if (auto claims = crypto::check_claims(*payload, digest); !claims) return claims.error();
  for (const auto& [name, wanted] : attestor.annotations) {
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
  return success();
}

boost::asio::awaitable<Result<void>> verify_attestors(const ImageVerification& entry, EvidenceSource& evidence,
                                                      const StatementCheck& check) {
  // An image with no signature anywhere the attestors look gets one plain reason.
  std::set<std::string> repositories;
  if (entry.type == VerificationType::Cosign) {
    for (const auto& set : entry.attestors) collect_repositories(set, entry, repositories);
  }
  bool none_anywhere = !repositories.empty();
  for (const auto& repository : repositories) {
    const auto* fetched = co_await evidence.signatures(repository);
    if (!fetched->ok() || !fetched->value().empty()) none_anywhere = false;
  }
  if (none_anywhere) {
    co_return Error::invalid(repositories.size() == 1 ? "no signatures found" + where(*repositories.begin())
                                                      : std::string("no signatures found"));
  }
  const Leaf signature_leaf = [&](const NamedEntry& e) { return verify_signature_entry(e, entry, evidence); };
  for (std::size_t i = 0; i < entry.attestors.size(); ++i) {
    auto result = co_await verify_set(entry.attestors[i], "attestors[" + std::to_string(i) + "]", signature_leaf);
    if (!result.ok()) co_return result;
  }
  for (std::size_t i = 0; i < entry.attestations.size(); ++i) {
    const Attestation& attestation = entry.attestations[i];
    // Without attestors of its own, an attestation must be signed by the entry's attestors.
    const auto& sets = attestation.attestors.empty() ? entry.attestors : attestation.attestors;
    const std::string path = "attestations[" + std::to_string(i) + "]";
    if (sets.empty()) co_return Error::invalid(path + ": no attestors to verify the attestation with");
    const Leaf leaf = [&](const NamedEntry& e) {
      return verify_attestation_entry(e, attestation, entry, evidence, check);
    };
    for (std::size_t j = 0; j < sets.size(); ++j) {
      auto result = co_await verify_set(sets[j], path + ".attestors[" + std::to_string(j) + "]", leaf);
      if (!result.ok()) co_return result;
    }
  }
  co_return success();
}

}  // namespace signet::policy
