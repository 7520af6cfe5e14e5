#include "crypto/cosign_signature.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "openssl_signer.hpp"

using signet::crypto::HashAlgorithm;
using signet::crypto::PublicKey;
using signet::crypto::verify_cosign_signature;
using signet::test::TestKey;
namespace fs = std::filesystem;

namespace {

const std::string kDigest = "sha256:" + std::string(64, '7');
const std::string kOtherDigest = "sha256:" + std::string(64, '8');

std::string cosign_payload(const std::string& digest) {
  return R"({"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":")" +
         digest + R"("},"type":"cosign container image signature"},"optional":null})";
}

PublicKey public_key(const TestKey& key) {
  auto loaded = PublicKey::from_pem(key.public_pem());
  REQUIRE(loaded.ok());
  return *loaded;
}

std::string failure(std::string_view payload, std::string_view signature, const PublicKey& key, std::string_view digest,
                    HashAlgorithm hash = HashAlgorithm::Sha256) {
  auto result = verify_cosign_signature(payload, signature, key, hash, digest);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  return result.error().message;
}

// --- real signatures recorded from cosign and other producers of its format ---

const fs::path kRealDir = fs::path(SIGNET_VECTORS_DIR) / "cosign-real";

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string must_read(const fs::path& path) {
  auto content = read_file(path);
  INFO(path.string());
  REQUIRE(content.has_value());
  return *content;
}

// The digest the payload claims, found with plain string search rather than signet's parser.
std::string claimed_digest(const std::string& payload) {
  const std::string field = R"("docker-manifest-digest":")";
  const auto start = payload.find(field);
  REQUIRE(start != std::string::npos);
  const auto value = start + field.size();
  return payload.substr(value, payload.find('"', value) - value);
}

bool real_vectors_present() {
  if (fs::is_directory(kRealDir)) return true;
  WARN("real cosign vectors not found at " << kRealDir.string() << "; skipping");
  return false;
}

std::vector<fs::path> key_based_fixtures() {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(kRealDir)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && (name.starts_with("key-") || name.starts_with("keyrekor-"))) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

TEST_CASE("a cosign signature made with OpenSSL verifies and yields its payload", "[crypto][cosign]") {
  struct Case {
    TestKey signer;
    const char* digest;  // nullptr: Ed25519 signs the payload itself
  };
  for (const auto& [signer, digest] :
       {Case{TestKey::ec("P-256"), "SHA256"}, Case{TestKey::rsa(2048), "SHA256"}, Case{TestKey::ed25519(), nullptr}}) {
    const auto payload = cosign_payload(kDigest);
    const auto signature = signet::test::openssl_base64(signer.sign(payload, digest));
    auto result = verify_cosign_signature(payload, signature, public_key(signer), HashAlgorithm::Sha256, kDigest);
    REQUIRE(result.ok());
    CHECK(result->manifest_digest == kDigest);
    CHECK(result->docker_reference == "registry.example/app");
  }
}

TEST_CASE("a cosign signature verifies with the hash the policy names", "[crypto][cosign]") {
  const auto signer = TestKey::ec("P-384");
  const auto payload = cosign_payload(kDigest);
  const auto signature = signet::test::openssl_base64(signer.sign(payload, "SHA384"));
  CHECK(verify_cosign_signature(payload, signature, public_key(signer), HashAlgorithm::Sha384, kDigest).ok());
  CHECK(failure(payload, signature, public_key(signer), kDigest, HashAlgorithm::Sha256) ==
        "signature does not verify with ECDSA P-384");
}

TEST_CASE("a valid cosign signature whose payload names another digest is rejected", "[crypto][cosign][claims]") {
  const auto signer = TestKey::ec("P-256");
  const auto payload = cosign_payload(kOtherDigest);
  const auto signature = signet::test::openssl_base64(signer.sign(payload, "SHA256"));
  CHECK(failure(payload, signature, public_key(signer), kDigest) ==
        "the signature's payload names " + kOtherDigest + ", not the image digest " + kDigest);
}

TEST_CASE("the signature is verified before the payload is read", "[crypto][cosign]") {
  const auto signer = TestKey::ec("P-256");
  const auto stranger = TestKey::ec("P-256");
  const std::string garbage = "not json at all";

  // Unsigned garbage: the signature fails first, the payload is never parsed.
  const auto forged = signet::test::openssl_base64(stranger.sign(garbage, "SHA256"));
  CHECK(failure(garbage, forged, public_key(signer), kDigest) == "signature does not verify with ECDSA P-256");

  // Signed garbage: the signature passes, then parsing refuses the payload.
  const auto signed_garbage = signet::test::openssl_base64(signer.sign(garbage, "SHA256"));
  CHECK_THAT(failure(garbage, signed_garbage, public_key(signer), kDigest),
             Catch::StartsWith("the signed payload: the payload is not valid JSON"));
}

TEST_CASE("the payload is verified exactly as stored, byte for byte", "[crypto][cosign]") {
  const auto signer = TestKey::ec("P-256");
  const auto payload = cosign_payload(kDigest);
  const auto signature = signet::test::openssl_base64(signer.sign(payload, "SHA256"));
  // The same JSON re-serialized with a space or a newline is another message.
  CHECK(failure(payload + "\n", signature, public_key(signer), kDigest) ==
        "signature does not verify with ECDSA P-256");
  std::string spaced = "{ ";
  spaced.append(payload.substr(1));
  CHECK(failure(spaced, signature, public_key(signer), kDigest) == "signature does not verify with ECDSA P-256");
}

TEST_CASE("a signature annotation that is not base64 is rejected", "[crypto][cosign]") {
  const auto signer = TestKey::ec("P-256");
  CHECK(failure(cosign_payload(kDigest), "MEUCIQ!!", public_key(signer), kDigest) ==
        "the signature annotation: invalid base64: unexpected '!' at offset 6");
  CHECK(failure(cosign_payload(kDigest), "", public_key(signer), kDigest) == "malformed signature: it is empty");
}

TEST_CASE("real cosign signatures made with keys verify", "[crypto][cosign][real]") {
  if (!real_vectors_present()) return;
  int verified = 0;
  const auto fixtures = key_based_fixtures();
  REQUIRE_FALSE(fixtures.empty());
  for (const auto& dir : fixtures) {
    INFO(dir.filename().string());
    const auto payload = must_read(dir / "payload.json");
    const auto signature = must_read(dir / "signature.b64");
    auto key = PublicKey::from_pem(must_read(dir / "key.pub"));
    REQUIRE(key.ok());
    // Where the fixture keeps the image manifest, the image digest is that manifest's own digest.
    const auto manifest = read_file(dir / "image-manifest.json");
    const auto image_digest = manifest ? signet::test::openssl_sha256_digest(*manifest) : claimed_digest(payload);

    auto result = verify_cosign_signature(payload, signature, *key, HashAlgorithm::Sha256, image_digest);
    if (!result) FAIL_CHECK(result.error().message);
    if (result) {
      CHECK(result->manifest_digest == image_digest);
      CHECK(result->type == "cosign container image signature");
      ++verified;
    }
  }
  CHECK(verified == static_cast<int>(fixtures.size()));
  WARN("verified " << verified << " of " << fixtures.size() << " real key-based cosign signatures");
}

TEST_CASE("a real signature made by an unknown key is refused", "[crypto][cosign][real]") {
  if (!real_vectors_present()) return;
  const auto dir = kRealDir / "neg-cimage-unknown-key";
  const auto payload = must_read(dir / "payload.json");
  const auto signature = must_read(dir / "signature.b64");
  for (const char* key_file : {"key.pub", "key2.pub"}) {
    INFO(key_file);
    auto key = PublicKey::from_pem(must_read(dir / key_file));
    REQUIRE(key.ok());
    CHECK(failure(payload, signature, *key, claimed_digest(payload)) == "signature does not verify with ECDSA P-256");
  }
}

TEST_CASE("a real signature for a manifest that was edited is refused by the claims check", "[crypto][cosign][real]") {
  if (!real_vectors_present()) return;
  const auto dir = kRealDir / "neg-cimage-modified-manifest";
  const auto payload = must_read(dir / "payload.json");
  const auto signature = must_read(dir / "signature.b64");
  auto key = PublicKey::from_pem(must_read(dir / "key.pub"));
  REQUIRE(key.ok());
  const auto edited = signet::test::openssl_sha256_digest(must_read(dir / "image-manifest.json"));
  REQUIRE(edited != claimed_digest(payload));

  // The signature itself is good: only the digest binding fails.
  CHECK(verify_cosign_signature(payload, signature, *key, HashAlgorithm::Sha256, claimed_digest(payload)).ok());
  CHECK(failure(payload, signature, *key, edited) ==
        "the signature's payload names " + claimed_digest(payload) + ", not the image digest " + edited);
}

TEST_CASE("real signatures on one image verify only with their own signer's key", "[crypto][cosign][real]") {
  if (!real_vectors_present()) return;
  const std::vector<std::string> signers = {"key-connaisseur-multi-alice", "key-connaisseur-multi-bob",
                                            "key-connaisseur-multi-charlie"};
  for (const auto& signer : signers) {
    const auto payload = must_read(kRealDir / signer / "payload.json");
    const auto signature = must_read(kRealDir / signer / "signature.b64");
    for (const auto& other : signers) {
      if (other == signer) continue;
      INFO(signer << " with the key of " << other);
      auto key = PublicKey::from_pem(must_read(kRealDir / other / "key.pub"));
      REQUIRE(key.ok());
      CHECK(failure(payload, signature, *key, claimed_digest(payload)) == "signature does not verify with ECDSA P-256");
    }
  }
}

TEST_CASE("real signatures do not verify under a hash they were not made with", "[crypto][cosign][real]") {
  if (!real_vectors_present()) return;
  for (const char* name :
       {"key-ratify-akv-ecdsa-p256", "key-ratify-ecdsa-p384", "key-ratify-akv-rsa2048", "key-ratify-rsa3072"}) {
    INFO(name);
    const auto payload = must_read(kRealDir / name / "payload.json");
    auto key = PublicKey::from_pem(must_read(kRealDir / name / "key.pub"));
    REQUIRE(key.ok());
    CHECK_THAT(failure(payload, must_read(kRealDir / name / "signature.b64"), *key, claimed_digest(payload),
                       HashAlgorithm::Sha384),
               Catch::StartsWith("signature does not verify with "));
  }
}

TEST_CASE("a real line-wrapped signature decodes and verifies with its certificate's key", "[crypto][cosign][real]") {
  if (!real_vectors_present()) return;
  const auto dir = kRealDir / "pki-cimage-byo-ca";
  const auto signature = must_read(dir / "signature.b64");
  REQUIRE(signature.find('\n') < signature.size() - 1);  // wrapped inside, not only at the end

  // The leaf's key is taken out with OpenSSL: signet's PublicKey reads keys, not certificates.
  const auto cert_pem = must_read(dir / "cert.pem");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())),
                                                &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  REQUIRE(cert);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  REQUIRE(PEM_write_bio_PUBKEY(out.get(), X509_get0_pubkey(cert.get())) == 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  auto key = PublicKey::from_pem(std::string_view(data, static_cast<std::size_t>(length)));
  REQUIRE(key.ok());
  CHECK(key->description() == "RSA 4096");

  const auto payload = must_read(dir / "payload.json");
  const auto manifest = must_read(dir / "image-manifest.json");
  auto result = verify_cosign_signature(payload, signature, *key, HashAlgorithm::Sha256,
                                        signet::test::openssl_sha256_digest(manifest));
  if (!result) FAIL(result.error().message);
}
