#include "crypto/public_key.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <new>

#include "crypto/digest.hpp"
#include "crypto/pem.hpp"

namespace signet::crypto {
namespace {

constexpr std::string_view kSupported =
    "signet verifies with ECDSA P-256, P-384 or P-521, RSA of 2048 bits or more, and Ed25519";
constexpr int kMinRsaBits = 2048;
// Verifying with a huge modulus costs far more than it protects; nobody signs with one.
constexpr int kMaxRsaBits = 16384;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// OpenSSL's group names for the NIST curves cosign, KMSs and HSMs use.
std::string_view curve_label(std::string_view group) {
  if (group == "prime256v1" || group == "P-256") return "P-256";
  if (group == "secp384r1" || group == "P-384") return "P-384";
  if (group == "secp521r1" || group == "P-521") return "P-521";
  return {};
}

// Why a PEM block that is not a "PUBLIC KEY" cannot be used, with the way out.
std::string wrong_block(const std::string& label) {
  if (label.find("PRIVATE KEY") != std::string::npos) {
    return "this is a private key (" + label +
           "); give its public key instead (e.g. cosign.pub) and keep the private key secret";
  }
  if (label == "CERTIFICATE") {
    return "this is a certificate, not a public key (its key can be extracted with "
           "`openssl x509 -pubkey -noout`)";
  }
  if (label == "RSA PUBLIC KEY") {
    return "this is a PKCS#1 RSA key; signet reads SubjectPublicKeyInfo 'PUBLIC KEY' blocks "
           "(convert it with `openssl rsa -RSAPublicKey_in -pubout`)";
  }
  return "a '" + label + "' block is not a public key (expected '-----BEGIN PUBLIC KEY-----')";
}

}  // namespace

Result<HashAlgorithm> parse_hash_algorithm(std::string_view name) {
  if (name.empty() || name == "sha256") return HashAlgorithm::Sha256;
  if (name == "sha224") return HashAlgorithm::Sha224;
  if (name == "sha384") return HashAlgorithm::Sha384;
  if (name == "sha512") return HashAlgorithm::Sha512;
  return Error::invalid("unknown signature algorithm '" + std::string(name) +
                        "' (expected sha224, sha256, sha384 or sha512)");
}

std::string_view to_string(HashAlgorithm hash) {
  switch (hash) {
    case HashAlgorithm::Sha224:
      return "sha224";
    case HashAlgorithm::Sha256:
      return "sha256";
    case HashAlgorithm::Sha384:
      return "sha384";
    case HashAlgorithm::Sha512:
      return "sha512";
  }
  return "sha256";
}

PublicKey::PublicKey(PKey key, Kind kind, std::string description, std::string der)
    : key_(std::move(key)), kind_(kind), description_(std::move(description)), der_(std::move(der)) {}

PublicKey::PublicKey(const PublicKey& other)
    : key_(nullptr), kind_(other.kind_), description_(other.description_), der_(other.der_) {
  if (EVP_PKEY_up_ref(other.key_.get()) != 1) throw std::bad_alloc();
  key_.reset(other.key_.get());
}

PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) *this = PublicKey(other);
  return *this;
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  auto keys = all_from_pem(pem);
  if (!keys) return keys.error();
  if (keys->size() != 1) {
    return Error::invalid("expected one public key, found " + std::to_string(keys->size()));
  }
  return std::move(keys->front());
}

Result<std::vector<PublicKey>> PublicKey::all_from_pem(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Error::invalid("no public key found: the text is empty");
  }
  auto blocks = parse_pem_blocks(text);
  if (!blocks) return blocks.error().context("public key PEM");
  std::vector<PublicKey> keys;
  keys.reserve(blocks->size());
  for (const auto& block : *blocks) {
    const std::string where = "public key PEM, line " + std::to_string(block.line);
    if (block.label != "PUBLIC KEY") return Error::invalid(where + ": " + wrong_block(block.label));
    auto key = from_der(block.der);
    if (!key) return key.error().context(where);
    keys.push_back(std::move(*key));
  }
  return keys;
}

Result<PublicKey> PublicKey::from_der(std::string_view der) {
  const unsigned char* cursor = bytes(der);
  PKey key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!key) {
    return Error::invalid("not a valid SubjectPublicKeyInfo (" + take_openssl_errors() + ")");
  }
  if (cursor != bytes(der) + der.size()) {
    return Error::invalid("unexpected bytes after the SubjectPublicKeyInfo");
  }

  if (EVP_PKEY_is_a(key.get(), "EC")) {
    char group[80] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1) {
      take_openssl_errors();
      return Error::invalid("unsupported key: ECDSA with explicit curve parameters; " + std::string(kSupported));
    }
    const auto curve = curve_label(group);
    if (curve.empty()) {
      return Error::invalid("unsupported key: ECDSA on curve " + std::string(group) + "; " + std::string(kSupported));
    }
    return PublicKey(std::move(key), Kind::Ecdsa, "ECDSA " + std::string(curve), std::string(der));
  }
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    const int bits = EVP_PKEY_get_bits(key.get());
    if (bits < kMinRsaBits) {
      return Error::invalid("RSA key of " + std::to_string(bits) +
                            " bits is too short (at least 2048 bits are required)");
    }
    if (bits > kMaxRsaBits) {
      return Error::invalid("RSA key of " + std::to_string(bits) + " bits is too long (at most " +
                            std::to_string(kMaxRsaBits) + " bits are accepted)");
    }
    return PublicKey(std::move(key), Kind::Rsa, "RSA " + std::to_string(bits), std::string(der));
  }
  if (EVP_PKEY_is_a(key.get(), "ED25519")) return PublicKey(std::move(key), Kind::Ed25519, "Ed25519", std::string(der));

  const char* type = EVP_PKEY_get0_type_name(key.get());
  return Error::invalid("unsupported key type " + std::string(type ? type : "(unknown)") + "; " +
                        std::string(kSupported));
}

std::string PublicKey::description() const { return description_; }

std::string PublicKey::der() const { return der_; }

std::string PublicKey::fingerprint() const { return sha256_hex(der()); }

// Rejects what cannot be a signature for this key before OpenSSL sees it, so that "malformed" and
// "wrong" stay apart: OpenSSL reports both the same way for RSA and Ed25519.
Result<void> PublicKey::check_signature_shape(std::string_view signature) const {
  if (signature.empty()) return Error::invalid("malformed signature: it is empty");
  switch (kind_) {
    case Kind::Rsa:
    case Kind::Ed25519: {
      const auto expected = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
      if (signature.size() != expected) {
        return Error::invalid("malformed signature: " + description_ + " signatures have " + std::to_string(expected) +
                              " bytes, this one has " + std::to_string(signature.size()));
      }
      return success();
    }
    case Kind::Ecdsa: {
      // Strict DER, as Go's ecdsa.VerifyASN1 (cosign) requires: it must re-encode to the same bytes.
      const unsigned char* cursor = bytes(signature);
      EcdsaSig parsed(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size())));
      bool canonical = false;
      if (parsed && cursor == bytes(signature) + signature.size()) {
        unsigned char* encoded = nullptr;
        const int length = i2d_ECDSA_SIG(parsed.get(), &encoded);
        canonical = length == static_cast<int>(signature.size()) &&
                    std::string_view(reinterpret_cast<char*>(encoded), length) == signature;
        OPENSSL_free(encoded);
      }
      take_openssl_errors();
      if (!canonical) {
        return Error::invalid("malformed signature: not an ASN.1 DER ECDSA signature (" +
                              std::to_string(signature.size()) + " bytes)");
      }
      return success();
    }
  }
  return success();
}

Result<void> PublicKey::verify(std::string_view message, std::string_view signature, HashAlgorithm hash) const {
  if (auto shape = check_signature_shape(signature); !shape) return shape;

  const char* digest = nullptr;  // Ed25519 signs the message itself
  if (kind_ != Kind::Ed25519) {
    switch (hash) {
      case HashAlgorithm::Sha224:
        digest = "SHA224";
        break;
      case HashAlgorithm::Sha256:
        digest = "SHA256";
        break;
      case HashAlgorithm::Sha384:
        digest = "SHA384";
        break;
      case HashAlgorithm::Sha512:
        digest = "SHA512";
        break;
    }
  }
  auto openssl_failed = [&] {
    return Error::invalid("could not verify the signature with " + description_ + ": OpenSSL failed (" +
                          take_openssl_errors() + ")");
  };

  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_ctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), &key_ctx, digest, nullptr, nullptr, key_.get(), nullptr) != 1) {
    return openssl_failed();
  }
  if (kind_ == Kind::Rsa && EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PADDING) != 1) {
    return openssl_failed();
  }
  const int verdict = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size());
  if (verdict == 1) return success();
  if (verdict == 0) {
    take_openssl_errors();
    return Error::invalid("signature does not verify with " + description_);
  }
  return openssl_failed();
}

Result<void> PublicKey::verify_prehashed(std::string_view digest, std::string_view signature) const {
  if (kind_ == Kind::Ed25519) {
    return Error::invalid("an Ed25519 signature cannot be checked against a digest: the artifact itself is needed");
  }
  if (auto shape = check_signature_shape(signature); !shape) return shape;
  const EVP_MD* md = digest.size() == 32 ? EVP_sha256() : digest.size() == 48 ? EVP_sha384()
                     : digest.size() == 64 ? EVP_sha512() : nullptr;
  if (md == nullptr) return Error::invalid("a digest of " + std::to_string(digest.size()) + " bytes is not SHA-2");
  std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1 ||
      (kind_ == Kind::Rsa && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)) {
    return Error::invalid("could not verify the signature with " + description_ + ": OpenSSL failed (" +
                          take_openssl_errors() + ")");
  }
  const int verdict = EVP_PKEY_verify(ctx.get(), bytes(signature), signature.size(), bytes(digest), digest.size());
  take_openssl_errors();
  if (verdict == 1) return success();
  return Error::invalid("signature does not verify with " + description_);
}

}  // namespace signet::crypto
