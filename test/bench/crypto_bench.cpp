// signet's signature verifications per second on one core, for the key types cosign users sign with,
// to be set beside `openssl speed` for the same algorithms (test/bench/bench.py runs both).
//
// Verify/<alg>: PublicKey::verify over a cosign simple-signing payload (what a policy key check costs).
// CosignSignature/<alg>: verify_cosign_signature, the whole per-signature step (base64, verify, claims).
#include <benchmark/benchmark.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "crypto/cosign_signature.hpp"
#include "crypto/encoding.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/public_key.hpp"

namespace {
using signet::crypto::HashAlgorithm;
using signet::crypto::PKey;
using signet::crypto::PublicKey;

using Bio = std::unique_ptr<BIO, signet::crypto::Free<BIO_free>>;

const std::string kDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kPayload =
    R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":")" +
    kDigest + R"("},"type":"cosign container image signature"},"optional":null})";

enum class Alg { P256, Rsa2048, Ed25519 };

PKey generate(Alg alg) {
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case Alg::P256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::Rsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
    case Alg::Ed25519:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (key == nullptr) throw std::runtime_error("key generation failed");
  return PKey(key);
}

// As cosign signs: SHA-256 then ECDSA (DER) or RSA PKCS#1 v1.5; Ed25519 over the payload itself.
std::string sign(EVP_PKEY* key, Alg alg, const std::string& message) {
  signet::crypto::MdCtx ctx(EVP_MD_CTX_new());
  const EVP_MD* md = alg == Alg::Ed25519 ? nullptr : EVP_sha256();
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1) throw std::runtime_error("sign init failed");
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()) != 1) throw std::runtime_error("sign failed");
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, message.size()) != 1)
    throw std::runtime_error("sign failed");
  signature.resize(length);
  return signature;
}

std::string public_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM export failed");
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

struct Fixture {
  PublicKey key;
  std::string signature;
};

Fixture make_fixture(Alg alg) {
  PKey private_key = generate(alg);
  auto key = PublicKey::from_pem(public_pem(private_key.get()));
  if (!key) throw std::runtime_error(key.error().message);
  return Fixture{*key, sign(private_key.get(), alg, kPayload)};
}

void Verify(benchmark::State& state, Alg alg) {
  const Fixture f = make_fixture(alg);
  for (auto _ : state) {
    auto verified = f.key.verify(kPayload, f.signature, HashAlgorithm::Sha256);
    if (!verified) {
      state.SkipWithError(verified.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void CosignSignature(benchmark::State& state, Alg alg) {
  const Fixture f = make_fixture(alg);
  const std::string signature_base64 = signet::crypto::base64_encode(f.signature);
  for (auto _ : state) {
    auto verified =
        signet::crypto::verify_cosign_signature(kPayload, signature_base64, f.key, HashAlgorithm::Sha256, kDigest);
    if (!verified) {
      state.SkipWithError(verified.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(Verify, p256, Alg::P256);
BENCHMARK_CAPTURE(Verify, rsa2048, Alg::Rsa2048);
BENCHMARK_CAPTURE(Verify, ed25519, Alg::Ed25519);
BENCHMARK_CAPTURE(CosignSignature, p256, Alg::P256);
BENCHMARK_CAPTURE(CosignSignature, rsa2048, Alg::Rsa2048);
BENCHMARK_CAPTURE(CosignSignature, ed25519, Alg::Ed25519);

}  // namespace

BENCHMARK_MAIN();
