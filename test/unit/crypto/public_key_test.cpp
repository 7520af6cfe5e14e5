#include "crypto/public_key.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "openssl_signer.hpp"

using signet::crypto::HashAlgorithm;
using signet::crypto::PublicKey;
using signet::test::TestKey;

namespace {

std::string load_error(std::string_view pem) {
  auto result = PublicKey::all_from_pem(pem);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == signet::Error::Kind::Invalid);
  return result.error().message;
}

PublicKey load(std::string_view pem) {
  auto result = PublicKey::from_pem(pem);
  INFO(pem);
  if (!result) FAIL(result.error().message);
  return *result;
}

// The fingerprint computed without signet: sha256 of OpenSSL's DER encoding of the key.
std::string expected_fingerprint(const TestKey& key) {
  return signet::test::openssl_sha256_digest(key.public_der()).substr(7);
}

}  // namespace

TEST_CASE("public keys of every supported type load from PEM and describe themselves", "[crypto][keys]") {
  CHECK(load(TestKey::ec("P-256").public_pem()).description() == "ECDSA P-256");
  CHECK(load(TestKey::ec("P-384").public_pem()).description() == "ECDSA P-384");
  CHECK(load(TestKey::ec("P-521").public_pem()).description() == "ECDSA P-521");
  CHECK(load(TestKey::rsa(2048).public_pem()).description() == "RSA 2048");
  CHECK(load(TestKey::rsa(3072).public_pem()).description() == "RSA 3072");
  CHECK(load(TestKey::ed25519().public_pem()).description() == "Ed25519");
}

TEST_CASE("a key's fingerprint is the sha256 of its DER SubjectPublicKeyInfo", "[crypto][keys]") {
  const auto ec = TestKey::ec("P-256");
  const auto ed = TestKey::ed25519();
  CHECK(load(ec.public_pem()).fingerprint() == expected_fingerprint(ec));
  CHECK(load(ed.public_pem()).fingerprint() == expected_fingerprint(ed));
  CHECK(load(ec.public_pem()).der() == ec.public_der());
  CHECK(load(ec.public_pem()).fingerprint() != load(ed.public_pem()).fingerprint());
}

TEST_CASE("several PEM public keys in one text are all read, in order", "[crypto][keys]") {
  const auto a = TestKey::ec("P-256");
  const auto b = TestKey::rsa(2048);
  const auto c = TestKey::ed25519();
  // As a YAML block scalar may leave them: blank lines between, CRLF endings, trailing spaces.
  std::string text = "\n";
  text.append(a.public_pem()).append("\n\n").append(b.public_pem()).append("  \r\n").append(c.public_pem());
  auto keys = PublicKey::all_from_pem(text);
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 3);
  CHECK((*keys)[0].fingerprint() == expected_fingerprint(a));
  CHECK((*keys)[1].fingerprint() == expected_fingerprint(b));
  CHECK((*keys)[2].fingerprint() == expected_fingerprint(c));

  std::string indented;
  for (char ch : a.public_pem()) {
    if (indented.empty() || indented.back() == '\n') indented += "    ";
    indented += ch;
  }
  auto one = PublicKey::all_from_pem(indented);
  REQUIRE(one.ok());
  CHECK(one->size() == 1);
}

TEST_CASE("from_pem wants exactly one key", "[crypto][keys]") {
  const auto pem = TestKey::ec("P-256").public_pem() + TestKey::ec("P-256").public_pem();
  auto result = PublicKey::from_pem(pem);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "expected one public key, found 2");
}

TEST_CASE("an empty public key text is refused", "[crypto][keys]") {
  CHECK(load_error("") == "no public key found: the text is empty");
  CHECK(load_error(" \n\t\r\n") == "no public key found: the text is empty");
}

TEST_CASE("text outside PEM blocks is refused naming its line", "[crypto][keys]") {
  const auto pem = TestKey::ec("P-256").public_pem();
  CHECK(load_error("not a key") ==
        "public key PEM: line 1: unexpected text outside a PEM block: 'not a key' (expected a "
        "'-----BEGIN ...-----' line)");
  // A P-256 PEM block takes four lines (BEGIN, two body lines, END): the garbage is on line 5.
  CHECK_THAT(load_error(pem + "garbage\n" + pem),
             Catch::StartsWith("public key PEM: line 5: unexpected text outside a PEM block: 'garbage'"));
  CHECK_THAT(load_error(pem + "# comment"), Catch::Contains("line 5: unexpected text"));
}

TEST_CASE("broken PEM blocks are refused naming the line", "[crypto][keys]") {
  const auto pem = TestKey::ec("P-256").public_pem();
  const auto body_end = pem.find("-----END");

  CHECK(load_error(pem.substr(0, body_end)) ==
        "public key PEM: line 1: '-----BEGIN PUBLIC KEY-----' has no matching END line");
  CHECK_THAT(load_error(pem.substr(0, body_end) + "-----END CERTIFICATE-----\n"),
             Catch::Contains("'-----END CERTIFICATE-----' does not close '-----BEGIN PUBLIC KEY-----' of line 1"));
  CHECK_THAT(load_error(pem.substr(0, body_end) + pem),
             Catch::Contains("a new block begins before '-----BEGIN PUBLIC KEY-----' of line 1 has ended"));

  std::string corrupt = pem;
  corrupt[30] = '*';
  CHECK(load_error(corrupt) == "public key PEM: line 2: unexpected '*' in the body of the PUBLIC KEY block");

  CHECK(load_error("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n") ==
        "public key PEM: line 1: the PUBLIC KEY block is empty");
  CHECK_THAT(load_error("-----BEGIN PUBLIC KEY-----\nZm9v\n-----END PUBLIC KEY-----\n"),
             Catch::StartsWith("public key PEM, line 1: not a valid SubjectPublicKeyInfo"));
}

TEST_CASE("a private key given as a public key is refused as such", "[crypto][keys]") {
  const auto key = TestKey::ec("P-256");
  CHECK(load_error(key.private_pem()) ==
        "public key PEM, line 1: this is a private key (PRIVATE KEY); give its public key instead "
        "(e.g. cosign.pub) and keep the private key secret");
  CHECK_THAT(load_error(key.traditional_private_pem()), Catch::Contains("this is a private key (EC PRIVATE KEY)"));
  CHECK_THAT(load_error(TestKey::rsa(2048).traditional_private_pem()),
             Catch::Contains("this is a private key (RSA PRIVATE KEY)"));
  // A private key after a good public key is refused too, naming its own line.
  CHECK_THAT(load_error(key.public_pem() + key.private_pem()),
             Catch::StartsWith("public key PEM, line 5: this is a private key"));
}

TEST_CASE("a certificate given as a public key is refused, pointing at its key", "[crypto][keys]") {
  CHECK(load_error(TestKey::ec("P-256").self_signed_certificate_pem()) ==
        "public key PEM, line 1: this is a certificate, not a public key (its key can be "
        "extracted with `openssl x509 -pubkey -noout`)");
}

TEST_CASE("a PKCS#1 RSA public key is refused with the conversion to use", "[crypto][keys]") {
  const auto pem = TestKey::rsa(2048).pkcs1_public_pem();
  REQUIRE_THAT(pem, Catch::StartsWith("-----BEGIN RSA PUBLIC KEY-----"));
  CHECK_THAT(load_error(pem),
             Catch::Contains("PKCS#1 RSA key") && Catch::Contains("openssl rsa -RSAPublicKey_in -pubout"));
}

TEST_CASE("keys on unsupported curves or of unsupported types are refused naming them", "[crypto][keys]") {
  CHECK_THAT(load_error(TestKey::ec("secp256k1").public_pem()),
             Catch::StartsWith("public key PEM, line 1: unsupported key: ECDSA on curve secp256k1; "
                               "signet verifies with ECDSA P-256, P-384 or P-521"));
  CHECK_THAT(load_error(TestKey::ec("brainpoolP256r1").public_pem()),
             Catch::Contains("ECDSA on curve brainpoolP256r1"));
  CHECK_THAT(load_error(TestKey::ed448().public_pem()), Catch::Contains("unsupported key type ED448"));
}

TEST_CASE("RSA keys shorter than 2048 bits are refused", "[crypto][keys]") {
  CHECK(load_error(TestKey::rsa(1024).public_pem()) ==
        "public key PEM, line 1: RSA key of 1024 bits is too short (at least 2048 bits are required)");
}

TEST_CASE("copies of a key share it and verify alike", "[crypto][keys]") {
  const auto signer = TestKey::ec("P-256");
  const auto signature = signer.sign("message", "SHA256");
  PublicKey original = load(signer.public_pem());
  PublicKey copy = original;
  PublicKey assigned = load(TestKey::ed25519().public_pem());
  assigned = copy;
  PublicKey moved = std::move(original);
  for (const PublicKey* key : {&copy, &assigned, &moved}) {
    CHECK(key->verify("message", signature, HashAlgorithm::Sha256).ok());
    CHECK(key->description() == "ECDSA P-256");
    CHECK(*key == copy);
  }
}

TEST_CASE("signature algorithms are read as Kyverno names them", "[crypto][keys]") {
  CHECK(*signet::crypto::parse_hash_algorithm("") == HashAlgorithm::Sha256);
  CHECK(*signet::crypto::parse_hash_algorithm("sha224") == HashAlgorithm::Sha224);
  CHECK(*signet::crypto::parse_hash_algorithm("sha256") == HashAlgorithm::Sha256);
  CHECK(*signet::crypto::parse_hash_algorithm("sha384") == HashAlgorithm::Sha384);
  CHECK(*signet::crypto::parse_hash_algorithm("sha512") == HashAlgorithm::Sha512);
  CHECK(signet::crypto::to_string(HashAlgorithm::Sha384) == "sha384");

  auto upper = signet::crypto::parse_hash_algorithm("SHA256");
  REQUIRE_FALSE(upper.ok());
  CHECK(upper.error().message == "unknown signature algorithm 'SHA256' (expected sha224, sha256, sha384 or sha512)");
  CHECK_FALSE(signet::crypto::parse_hash_algorithm("md5").ok());
}
