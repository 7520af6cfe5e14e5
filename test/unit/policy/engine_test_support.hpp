// Test support for the engine: an in-memory registry, keys and cosign-format signatures made with
// OpenSSL's EVP API directly (never with signet's own code), and builders for policies.
#pragma once

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "crypto/public_key.hpp"
#include "oci/registry.hpp"
#include "policy/engine.hpp"

namespace signet::policy::test {

inline const std::string kDigestV1 = "sha256:" + std::string(64, '1');
// The image most tests verify, by name and pinned to kDigestV1.
inline const std::string kApp = "127.0.0.1:5000/app";
inline const std::string kPinned = kApp + "@" + kDigestV1;
inline const std::string kDigestV2 = "sha256:" + std::string(64, '2');
inline const std::string kOtherDigest = "sha256:" + std::string(64, 'f');

// ---- keys and signatures, with OpenSSL only ----

struct PKeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

class TestKey {
 public:
  static TestKey ec_p256() { return TestKey(EVP_EC_gen("P-256"), EVP_sha256()); }
  static TestKey ed25519() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), nullptr); }

  std::string public_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw std::runtime_error("PEM_write_bio_PUBKEY");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  }

  crypto::PublicKey public_key() const {
    auto key = crypto::PublicKey::from_pem(public_pem());
    if (!key.ok()) throw std::runtime_error(key.error().message);
    return *key;
  }

  // A raw signature (DER for ECDSA) over `message`, as cosign makes it.
  std::string sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md_, nullptr, key_.get()) != 1) {
      throw std::runtime_error("EVP_DigestSignInit");
    }
    std::size_t size = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &size, data, message.size()) != 1)
      throw std::runtime_error("EVP_DigestSign");
    std::string signature(size, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data, message.size()) !=
        1) {
      throw std::runtime_error("EVP_DigestSign");
    }
    signature.resize(size);
    return signature;
  }

 private:
  TestKey(EVP_PKEY* key, const EVP_MD* md) : key_(key, PKeyFree{}), md_(md) {
    if (!key_) throw std::runtime_error("key generation failed");
  }
  std::shared_ptr<EVP_PKEY> key_;
  const EVP_MD* md_;
};

inline std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// cosign's simple-signing payload.
inline std::string payload_for(const std::string& reference, const std::string& digest,
                               const std::map<std::string, std::string>& optional = {}) {
  std::string json = R"({"critical":{"identity":{"docker-reference":")" + reference +
                     R"("},"image":{"docker-manifest-digest":")" + digest +
                     R"("},"type":"cosign container image signature"},"optional":)";
  if (optional.empty()) return json + "null}";
  std::string fields;
  for (const auto& [k, v] : optional) fields += (fields.empty() ? "" : ",") + ("\"" + k + "\":\"" + v + "\"");
  return json + "{" + fields + "}}";
}

inline oci::CosignSignature signature_by(const TestKey& key, const std::string& payload, bool with_bundle = false) {
  oci::CosignSignature sig;
  sig.payload = payload;
  sig.media_type = "application/vnd.dev.cosign.simplesigning.v1+json";
  sig.annotations["dev.cosignproject.cosign/signature"] = base64(key.sign(payload));
  if (with_bundle) sig.annotations["dev.sigstore.cosign/bundle"] = R"({"SignedEntryTimestamp":"","Payload":{}})";
  return sig;
}

// A cosign attestation layer: an in-toto statement about `digest` with `predicate` (JSON text), in a DSSE
// envelope signed over its PAE (written out here, not with signet's code).
inline oci::CosignLayer attestation_by(const TestKey& key, const std::string& digest, const std::string& type,
                                       const std::string& predicate) {
  const std::string statement = R"({"_type":"https://in-toto.io/Statement/v1","predicateType":")" + type +
                                R"(","subject":[{"name":"app","digest":{"sha256":")" + digest.substr(7) +
                                R"("}}],"predicate":)" + predicate + "}";
  const std::string payload_type = "application/vnd.in-toto+json";
  const std::string pae = "DSSEv1 " + std::to_string(payload_type.size()) + " " + payload_type + " " +
                          std::to_string(statement.size()) + " " + statement;
  oci::CosignLayer layer;
  layer.payload = R"({"payloadType":")" + payload_type + R"(","payload":")" + base64(statement) +
                  R"(","signatures":[{"keyid":"","sig":")" + base64(key.sign(pae)) + "\"}]}";
  layer.media_type = "application/vnd.dsse.envelope.v1+json";
  layer.annotations["predicateType"] = type;
  return layer;
}

// ---- an in-memory registry ----

class FakeRegistry : public oci::Registry {
 public:
  std::map<std::string, std::string> tags;                              // "registry/repo:tag" → digest
  std::map<std::string, std::vector<oci::CosignSignature>> signatures;  // "registry/repo@digest" → layers
  std::map<std::string, std::vector<oci::CosignLayer>> attestations;    // "registry/repo@digest" → layers
  std::optional<Error> failure;                                         // when set, every call fails
  std::chrono::milliseconds delay{0};           // how long each signature read takes (to overlap concurrent reads)
  std::vector<std::string> signature_requests;  // "registry/repo@digest" asked
  std::vector<std::vector<std::string>> secrets_used;  // the credentials of each of those
  int resolve_calls = 0;

  void add_image(const std::string& name, const std::string& tag, const std::string& digest) {
    tags[name + ":" + tag] = digest;
  }
  void sign(const std::string& name, const std::string& digest, oci::CosignSignature sig) {
    signatures[name + "@" + digest].push_back(std::move(sig));
  }
  void attest(const std::string& name, const std::string& digest, oci::CosignLayer layer) {
    attestations[name + "@" + digest].push_back(std::move(layer));
  }

  boost::asio::awaitable<Result<std::string>> resolve_digest(const oci::Reference& image, oci::Pull) override {
    ++resolve_calls;
    if (failure) co_return *failure;
    if (!image.digest.empty()) co_return image.digest;
    const auto it = tags.find(image.name() + ":" + image.tag);
    if (it == tags.end()) co_return Error::invalid("manifest unknown: " + image.str());
    co_return it->second;
  }

  boost::asio::awaitable<Result<std::vector<oci::CosignSignature>>> cosign_signatures(
      const oci::Reference& image, const std::optional<std::string>& repository, oci::Pull pull) override {
    const std::string key = repository.value_or(image.name()) + "@" + image.digest;
    signature_requests.push_back(key);
    secrets_used.push_back(pull.secrets);
    if (delay.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    if (failure) co_return *failure;
    const auto it = signatures.find(key);
    co_return it == signatures.end() ? std::vector<oci::CosignSignature>{} : it->second;
  }

  boost::asio::awaitable<Result<std::vector<oci::CosignLayer>>> cosign_attestations(
      const oci::Reference& image, const std::optional<std::string>& repository, oci::Pull) override {
    if (failure) co_return *failure;
    const auto it = attestations.find(repository.value_or(image.name()) + "@" + image.digest);
    co_return it == attestations.end() ? std::vector<oci::CosignLayer>{} : it->second;
  }

  // OCI 1.1 artifacts are not part of these tests.
  boost::asio::awaitable<Result<std::vector<oci::CosignLayer>>> artifact_layers(const oci::Reference& artifact,
                                                                                oci::Pull) override {
    co_return Error::invalid("no artifact " + artifact.str());
  }
  boost::asio::awaitable<Result<std::vector<oci::Referrer>>> referrers(const oci::Reference&, const std::string&,
                                                                       oci::Pull) override {
    co_return std::vector<oci::Referrer>{};
  }
};

// ---- policies ----

inline Attestor key_attestor(const std::vector<const TestKey*>& keys, bool ignore_tlog = true) {
  Attestor a;
  a.keys.emplace();
  for (const auto* key : keys) {
    a.keys->public_keys_pem += key->public_pem();
    a.keys->public_keys.push_back(key->public_key());
  }
  a.keys->rekor.ignore_tlog = ignore_tlog;
  return a;
}

inline AttestorSet attestor_set(std::vector<Attestor> entries, std::optional<int> count = std::nullopt) {
  AttestorSet set;
  for (auto& entry : entries) set.add(std::move(entry));
  set.count = count;
  return set;
}

inline ImageVerification verify_entry(std::vector<std::string> references, std::vector<AttestorSet> attestors) {
  ImageVerification iv;
  iv.image_references = std::move(references);
  iv.attestors = std::move(attestors);
  return iv;
}

inline Policy pod_policy(std::vector<ImageVerification> entries, FailureAction action = FailureAction::Enforce,
                         std::string name = "check-signatures", std::string rule_name = "verify-cosign") {
  Policy p;
  p.name = std::move(name);
  p.validation_failure_action = action;
  p.autogen_controllers = {"DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController",
                           "CronJob"};
  Rule rule;
  rule.name = std::move(rule_name);
  rule.match.resources.kinds = {"Pod"};
  rule.verify_images = std::move(entries);
  p.rules.push_back(std::move(rule));
  return p;
}

inline AdmissionRequest pod_request(std::string ns = "default") {
  AdmissionRequest r;
  r.operation = "CREATE";
  r.version = "v1";
  r.kind = "Pod";
  r.namespace_name = std::move(ns);
  r.name = "web";
  r.user.username = "alice";
  return r;
}

inline std::vector<ImageUse> images_of(const std::vector<std::string>& images) {
  std::vector<ImageUse> uses;
  for (std::size_t i = 0; i < images.size(); ++i) {
    uses.push_back(
        {images[i], "/spec/containers/" + std::to_string(i) + "/image", "c" + std::to_string(i), "containers"});
  }
  return uses;
}

// Runs evaluate() to completion on an io_context, as the server does.
inline Decision run(const PolicySet& policies, const AdmissionRequest& request, const std::vector<ImageUse>& images,
                    Mode mode, oci::Registry& registry,
                    oci::Deadline deadline = oci::Clock::now() + std::chrono::seconds(30),
                    VerdictCache* verdicts = nullptr) {
  boost::asio::io_context io;
  std::optional<Decision> decision;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, evaluate(policies, request, images, mode, registry, deadline, verdicts),
                        [&](std::exception_ptr e, Decision d) {
                          failure = e;
                          if (!e) decision = std::move(d);
                        });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*decision);
}

}  // namespace signet::policy::test
