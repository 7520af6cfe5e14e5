// signet verify-bundle: sigstore-conformance's client protocol for verifying a sigstore bundle, run
// through the verifier and identity check of the admission path.
#include <filesystem>
#include <iostream>

#include "crypto/digest.hpp"
#include "crypto/encoding.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "crypto/sigstore_verifier.hpp"
#include "policy/image_verifier.hpp"
#include "policy/jmespath/json_value.hpp"
#include "policy/signer_identity.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/offline_verification.hpp"

namespace signet::server {
namespace {

const char* const kVerifyBundleUsage =
    "usage: signet verify-bundle [--staging] --bundle FILE\n"
    "           (--certificate-identity ID --certificate-oidc-issuer URL | --key KEY)\n"
    "           [--trusted-root FILE] FILE_OR_DIGEST\n"
    "Verifies a sigstore bundle (v0.1 to v0.3, message signature or DSSE) over an artifact offline, with the\n"
    "checks of the admission path: the signature, its certificate chained to the trusted root's Fulcio at\n"
    "the logged or timestamped time and its SCT, the transparency-log entries and RFC 3161 timestamps, and\n"
    "the signer's SAN and OIDC issuer, compared exactly (or the public key in the PEM file KEY).\n"
    "FILE_OR_DIGEST is the artifact (for DSSE, a subject of the in-toto statement): a file, or its digest\n"
    "`sha256:<64 hex>` when that is not an existing path. --trusted-root replaces the embedded public-good\n"
    "root. Prints one line; exit 0 verified, 1 not verified (naming the check), 2 on usage errors.\n";

// "sha256:<64 hex>" as raw bytes, or "" when `text` is not exactly that.
std::string digest_bytes(const std::string& text) {
  constexpr std::string_view prefix = "sha256:";
  if (text.size() != prefix.size() + 64 || text.compare(0, prefix.size(), prefix) != 0) return "";
  std::string out;
  for (std::size_t i = prefix.size(); i < text.size(); i += 2) {
    const std::string pair = text.substr(i, 2);
    if (pair.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return "";
    out.push_back(static_cast<char>(std::stoi(pair, nullptr, 16)));
  }
  return out;
}

struct Artifact {
  std::string name;                    // as given
  std::string sha256;                  // raw bytes
  std::optional<std::string> content;  // when given as a file
};

Result<Artifact> read_artifact(const std::string& argument) {
  std::error_code ignored;
  const std::string digest = digest_bytes(argument);
  if (!digest.empty() && !std::filesystem::exists(argument, ignored)) return Artifact{argument, digest, std::nullopt};
  auto content = read_whole_file(argument);
  if (!content) return content.error().context("the artifact");
  const std::string sha256 = crypto::sha256_bytes(*content);
  return Artifact{argument, sha256, std::move(*content)};
}

// The bundle's content bound to the artifact, then verified as the admission path verifies a signature.
Result<std::string> verify(const crypto::SigstoreBundle& bundle, const Artifact& artifact,
                           const policy::Attestor& attestor, const crypto::PublicKey* key) {
  auto evidence = crypto::evidence_from_bundle(bundle);
  if (!evidence) return evidence.error();
  const std::string artifact_digest = "sha256:" + crypto::hex_encode(artifact.sha256);
  if (bundle.message_signature) {
    const std::string& signed_digest = bundle.message_signature->digest;
    if (!signed_digest.empty() && signed_digest != artifact.sha256) {
      return Error::invalid("message digest: the artifact is " + artifact_digest +
                            ", the bundle signs sha256:" + crypto::hex_encode(signed_digest));
    }
    // The signature is checked over the artifact itself when it is at hand, else over its digest.
    if (artifact.content) {
      evidence->payload = *artifact.content;
    } else {
      evidence->payload_sha256 = artifact.sha256;
    }
  }
  auto verified = policy::verify_evidence(*evidence, attestor, key);
  if (!verified) return verified.error();
  std::string what = bundle.message_signature ? "message signature" : "DSSE envelope";
  if (evidence->envelope) {
    const crypto::DsseEnvelope& envelope = *evidence->envelope;
    if (envelope.payload_type != crypto::kInTotoPayloadType) {
      return Error::invalid("the envelope's payloadType is \"" + envelope.payload_type + "\", not " +
                            std::string(crypto::kInTotoPayloadType));
    }
    auto statement = policy::json::parse(envelope.payload);
    if (!statement) return statement.error().context("the in-toto statement");
    if (auto subject = policy::check_statement_subject(*statement, artifact_digest); !subject) return subject.error();
    what = "in-toto statement about " + artifact_digest;
  }
  std::string signer = key ? "key " + key->fingerprint() : describe_signer(*verified->certificate);
  return what + " signed by " + signer + (verified->logged ? ", logged" : "") +
         (evidence->rfc3161_timestamps.empty() ? "" : ", timestamped");
}

}  // namespace

int run_verify_bundle(const std::vector<std::string>& args) {
  auto line = CommandLine::parse(args, {{"staging", false},
                                        {"bundle"},
                                        {"certificate-identity"},
                                        {"certificate-oidc-issuer"},
                                        {"key"},
                                        {"trusted-root"},
                                        {"help", false}});
  if (!line) {
    std::cerr << "signet verify-bundle: " << line.error().message << "\n" << kVerifyBundleUsage;
    return kExitUsage;
  }
  if (line->has("help")) {
    std::cout << kVerifyBundleUsage;
    return kExitOk;
  }
  const bool identity = line->has("certificate-identity") || line->has("certificate-oidc-issuer");
  const bool both_identity = line->has("certificate-identity") && line->has("certificate-oidc-issuer");
  if (!line->has("bundle") || line->positional().size() != 1 || identity == line->has("key") ||
      (identity && !both_identity)) {
    std::cerr << "signet verify-bundle: give --bundle FILE, either --key KEY or both --certificate-identity and "
                 "--certificate-oidc-issuer, and one FILE_OR_DIGEST\n"
              << kVerifyBundleUsage;
    return kExitUsage;
  }
  if (line->has("staging")) {
    std::cerr << "signet verify-bundle: no staging root is embedded; pass --trusted-root\n";
    return kExitUsage;
  }
  if (auto root = use_trusted_root_flag(*line); !root) {
    std::cerr << "signet verify-bundle: --trusted-root: " << root.error().message << "\n";
    return kExitUsage;
  }
  policy::Attestor attestor;
  std::optional<crypto::PublicKey> key;
  if (line->has("key")) {
    auto pem = read_whole_file(line->get("key"));
    if (!pem) {
      std::cerr << "signet verify-bundle: --key: " << pem.error().message << "\n";
      return kExitUsage;
    }
    auto parsed = crypto::PublicKey::from_pem(*pem);
    if (!parsed) {
      std::cerr << "signet verify-bundle: --key " << line->get("key") << ": " << parsed.error().message << "\n";
      return kExitUsage;
    }
    key = std::move(*parsed);
    attestor.keys = policy::StaticKeyAttestor{};
    attestor.keys->public_keys.push_back(*key);
  } else {
    attestor.keyless = exact_identity(line->get("certificate-identity"), line->get("certificate-oidc-issuer"));
  }
  auto artifact = read_artifact(line->positional().front());
  if (!artifact) {
    std::cerr << "signet verify-bundle: " << artifact.error().message << "\n";
    return kExitUsage;
  }
  // What the bundle holds is evidence: a bundle that cannot be read does not verify.
  Result<std::string> verdict = Error::invalid("");
  if (auto json = read_whole_file(line->get("bundle")); !json) {
    std::cerr << "signet verify-bundle: --bundle: " << json.error().message << "\n";
    return kExitUsage;
  } else if (auto bundle = crypto::parse_sigstore_bundle(*json); !bundle) {
    verdict = bundle.error().context("the bundle");
  } else {
    verdict = verify(*bundle, *artifact, attestor, key ? &*key : nullptr);
  }
  if (!verdict) {
    std::cout << "not verified: " << artifact->name << ": " << verdict.error().message << "\n";
    return kExitFailed;
  }
  std::cout << "verified: " << artifact->name << ": " << *verdict << "\n";
  return kExitOk;
}

}  // namespace signet::server
