#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "crypto/public_key.hpp"
#include "openssl_signer.hpp"

using signet::crypto::HashAlgorithm;
using signet::crypto::PublicKey;
using signet::test::TestKey;

namespace {

struct Signer {
  std::string name;  // as PublicKey::description() says it
  TestKey key;
};

// Generated once per process: RSA key generation is slow. (RSA 4096 is covered by a real signature.)
const std::vector<Signer>& signers() {
  static const std::vector<Signer> all = {
      {"ECDSA P-256", TestKey::ec("P-256")}, {"ECDSA P-384", TestKey::ec("P-384")},
      {"ECDSA P-521", TestKey::ec("P-521")}, {"RSA 2048", TestKey::rsa(2048)},
      {"RSA 3072", TestKey::rsa(3072)},      {"Ed25519", TestKey::ed25519()},
  };
  return all;
}

struct Hash {
  HashAlgorithm algorithm;
  const char* openssl_name;
};
const Hash kHashes[] = {{HashAlgorithm::Sha224, "SHA224"},
                        {HashAlgorithm::Sha256, "SHA256"},
                        {HashAlgorithm::Sha384, "SHA384"},
                        {HashAlgorithm::Sha512, "SHA512"}};

PublicKey public_key(const Signer& signer) {
  auto key = PublicKey::from_pem(signer.key.public_pem());
  REQUIRE(key.ok());
  return *key;
}

bool is_ed25519(const Signer& signer) { return signer.name == "Ed25519"; }

TestKey another_key_like(const Signer& signer) {
  if (signer.name.starts_with("ECDSA ")) return TestKey::ec(signer.name.substr(6).c_str());
  if (signer.name.starts_with("RSA ")) return TestKey::rsa(std::stoul(signer.name.substr(4)));
  return TestKey::ed25519();
}

const std::string kMessage =
    R"({"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"},"type":"cosign container image signature"},"optional":null})";

std::string failure(const PublicKey& key, std::string_view message, std::string_view signature,
                    HashAlgorithm hash = HashAlgorithm::Sha256) {
  auto result = key.verify(message, signature, hash);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  return result.error().message;
}

}  // namespace

TEST_CASE("signatures made with OpenSSL verify for every key type and hash", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    const auto key = public_key(signer);
    for (const auto& hash : kHashes) {
      INFO(signer.name << " with " << hash.openssl_name);
      const auto signature = signer.key.sign(kMessage, is_ed25519(signer) ? nullptr : hash.openssl_name);
      const auto result = key.verify(kMessage, signature, hash.algorithm);
      CHECK(result.ok());
      if (!result) FAIL_CHECK(result.error().message);
    }
  }
}

TEST_CASE("a signature made with another key of the same kind does not verify", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    INFO(signer.name);
    const auto other = another_key_like(signer);
    const auto signature = other.sign(kMessage, is_ed25519(signer) ? nullptr : "SHA256");
    CHECK(failure(public_key(signer), kMessage, signature) == "signature does not verify with " + signer.name);
  }
}

TEST_CASE("a signature with one flipped byte does not verify", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    INFO(signer.name);
    auto signature = signer.key.sign(kMessage, is_ed25519(signer) ? nullptr : "SHA256");
    // The last byte is inside the value (ECDSA's s), so the signature stays well formed.
    signature.back() = static_cast<char>(signature.back() ^ 0x01);
    CHECK(failure(public_key(signer), kMessage, signature) == "signature does not verify with " + signer.name);
  }
}

TEST_CASE("a signature over another payload does not verify", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    INFO(signer.name);
    const auto signature = signer.key.sign(kMessage + " ", is_ed25519(signer) ? nullptr : "SHA256");
    CHECK(failure(public_key(signer), kMessage, signature) == "signature does not verify with " + signer.name);
  }
}

TEST_CASE("a signature made over another hash does not verify", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    if (is_ed25519(signer)) continue;
    INFO(signer.name);
    const auto signature = signer.key.sign(kMessage, "SHA384");
    CHECK(failure(public_key(signer), kMessage, signature, HashAlgorithm::Sha256) ==
          "signature does not verify with " + signer.name);
  }
}

TEST_CASE("a truncated signature is malformed, not merely wrong", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    INFO(signer.name);
    auto signature = signer.key.sign(kMessage, is_ed25519(signer) ? nullptr : "SHA256");
    signature.pop_back();
    const auto message = failure(public_key(signer), kMessage, signature);
    CHECK_THAT(message, Catch::StartsWith("malformed signature: "));
    CHECK_THAT(message, !Catch::Contains("does not verify"));
  }
  const auto rsa = signers()[3];
  REQUIRE(rsa.name == "RSA 2048");
  CHECK(failure(public_key(rsa), kMessage, rsa.key.sign(kMessage, "SHA256").substr(0, 255)) ==
        "malformed signature: RSA 2048 signatures have 256 bytes, this one has 255");
  const auto ed = signers()[5];
  CHECK(failure(public_key(ed), kMessage, ed.key.sign(kMessage, nullptr).substr(0, 63)) ==
        "malformed signature: Ed25519 signatures have 64 bytes, this one has 63");
}

TEST_CASE("an empty signature is malformed", "[crypto][verify]") {
  for (const auto& signer : signers()) {
    INFO(signer.name);
    CHECK(failure(public_key(signer), kMessage, "") == "malformed signature: it is empty");
  }
}

TEST_CASE("an ECDSA signature that is not strict DER is malformed", "[crypto][verify]") {
  const auto& signer = signers()[0];
  const auto key = public_key(signer);
  const auto signature = signer.key.sign(kMessage, "SHA256");
  REQUIRE(key.verify(kMessage, signature, HashAlgorithm::Sha256).ok());

  const auto trailing = failure(key, kMessage, signature + '\0');
  CHECK_THAT(trailing, Catch::StartsWith("malformed signature: not an ASN.1 DER ECDSA signature"));

  // The same SEQUENCE with a long-form length: valid BER, not DER.
  std::string ber = signature;
  REQUIRE(static_cast<unsigned char>(ber[1]) < 0x80);
  ber.insert(1, 1, static_cast<char>(0x81));
  CHECK_THAT(failure(key, kMessage, ber), Catch::StartsWith("malformed signature: not an ASN.1 DER"));

  // A raw r||s signature (as JOSE writes them) is not what cosign stores.
  CHECK_THAT(failure(key, kMessage, std::string(64, '\x11')), Catch::StartsWith("malformed signature"));
}

TEST_CASE("an RSA-PSS signature does not pass as PKCS#1 v1.5", "[crypto][verify]") {
  const auto& signer = signers()[3];
  const auto pss = signer.key.sign(kMessage, "SHA256", /*rsa_pss=*/true);
  CHECK(failure(public_key(signer), kMessage, pss) == "signature does not verify with RSA 2048");
}

TEST_CASE("Ed25519 verifies the message itself whatever hash the policy names", "[crypto][verify]") {
  const auto& signer = signers()[5];
  const auto key = public_key(signer);
  const auto signature = signer.key.sign(kMessage, nullptr);
  for (const auto& hash : kHashes) CHECK(key.verify(kMessage, signature, hash.algorithm).ok());
}
