// signet verify-signature: one cosign signature or attestation, as its `.sig` / `.att` layer would hold
// it, checked offline with exactly the checks the admission path makes for one attestor.
#include <iostream>

#include "crypto/digest.hpp"
#include "crypto/simple_signing.hpp"
#include "policy/cosign_evidence.hpp"
#include "policy/image_verifier.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/offline_verification.hpp"

namespace signet::server {
namespace {

const char* const kVerifySignatureUsage =
    "usage: signet verify-signature (--payload FILE --signature B64FILE | --envelope FILE)\n"
    "           (--key PEM | --cert PEM [--chain PEM] [--certificate-identity ID --certificate-oidc-issuer URL])\n"
    "           [--bundle FILE] [--rfc3161 FILE] [--trusted-root FILE] [--image-digest DIGEST]\n"
    "           [--ignore-tlog] [--ignore-sct]\n"
    "Verifies one cosign signature (the signed payload and the base64 signature annotation) or, with\n"
    "--envelope, one DSSE attestation, offline, with the admission path's checks. The files are what a\n"
    "cosign layer carries: --cert and --chain its certificate and chain annotations, --bundle its\n"
    "dev.sigstore.cosign/bundle (Rekor SET), --rfc3161 its dev.sigstore.cosign/rfc3161timestamp.\n"
    "The signer is, as a policy attestor: --key a keys attestor; --cert with the identity flags a keyless\n"
    "attestor (chained to the trusted root's Fulcio at the signing time, the SAN and issuer given compared\n"
    "exactly);\n"
    "--cert alone a certificates attestor with that cert (and --chain as its certChain).\n"
    "A transparency-log entry is required unless --ignore-tlog, an SCT unless --ignore-sct.\n"
    "--image-digest checks the claims (the payload, or the statement's subject, names the digest); without\n"
    "it they are not checked. Prints one line; exit 0 verified, 1 not verified, 2 on usage errors.\n";

const char* const kSimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
const char* const kDsseMediaType = "application/vnd.dsse.envelope.v1+json";

struct Inputs {
  oci::CosignLayer layer;
  policy::Attestor attestor;
  std::optional<crypto::PublicKey> key;
  std::string signer;  // for the verdict line
};

// The files of the layer: what must be there, and the annotations a cosign layer would carry.
Result<void> read_layer(const CommandLine& line, oci::CosignLayer& layer) {
  const bool envelope = line.has("envelope");
  auto content = read_whole_file(line.get(envelope ? "envelope" : "payload"));
  if (!content) return content.error();
  layer.payload = std::move(*content);
  layer.media_type = envelope ? kDsseMediaType : kSimpleSigningMediaType;
  const std::pair<const char*, std::string_view> annotations[] = {{"signature", policy::kSignatureAnnotation},
                                                                  {"cert", policy::kCertificateAnnotation},
                                                                  {"chain", policy::kChainAnnotation},
                                                                  {"bundle", policy::kBundleAnnotation},
                                                                  {"rfc3161", policy::kTimestampAnnotation}};
  for (const auto& [flag, annotation] : annotations) {
    if (!line.has(flag)) continue;
    auto value = read_whole_file(line.get(flag));
    if (!value) return value.error().context(std::string("--") + flag);
    layer.annotations[std::string(annotation)] = std::move(*value);
  }
  return success();
}

Result<Inputs> read_inputs(const CommandLine& line) {
  Inputs inputs;
  if (auto layer = read_layer(line, inputs.layer); !layer) return layer.error();
  policy::Rekor rekor;
  rekor.ignore_tlog = line.has("ignore-tlog");
  policy::CTLog ctlog;
  ctlog.ignore_sct = line.has("ignore-sct");
  if (line.has("key")) {
    auto pem = read_whole_file(line.get("key"));
    if (!pem) return pem.error().context("--key");
    auto key = crypto::PublicKey::from_pem(*pem);
    if (!key) return key.error().context("--key " + line.get("key"));
    inputs.key = std::move(*key);
    inputs.signer = "key " + inputs.key->fingerprint();
    inputs.attestor.keys = policy::StaticKeyAttestor{};
    inputs.attestor.keys->public_keys.push_back(*inputs.key);
    inputs.attestor.keys->rekor = rekor;
    inputs.attestor.keys->ctlog = ctlog;
    return inputs;
  }
  const std::string& pem = inputs.layer.annotations[std::string(policy::kCertificateAnnotation)];
  auto cert = crypto::Certificate::from_pem(pem);
  if (!cert) return cert.error().context("--cert " + line.get("cert"));
  inputs.signer = describe_signer(*cert);
  if (line.has("certificate-identity") || line.has("certificate-oidc-issuer")) {
    inputs.attestor.keyless = exact_identity(line.get("certificate-identity"), line.get("certificate-oidc-issuer"));
    inputs.attestor.keyless->rekor = rekor;
    inputs.attestor.keyless->ctlog = ctlog;
    return inputs;
  }
  policy::CertificateAttestor certificates;
  certificates.cert_pem = pem;
  certificates.cert = std::move(*cert);
  if (line.has("chain")) {
    certificates.cert_chain_pem = inputs.layer.annotations[std::string(policy::kChainAnnotation)];
    auto chain = crypto::Certificate::all_from_pem(certificates.cert_chain_pem);
    if (!chain) return chain.error().context("--chain " + line.get("chain"));
    certificates.cert_chain = std::move(*chain);
  }
  certificates.rekor = rekor;
  certificates.ctlog = ctlog;
  inputs.attestor.certificates = std::move(certificates);
  return inputs;
}

// The checks, in the admission path's order; the verdict line's text when they pass.
Result<std::string> verify(const Inputs& inputs, const std::string& digest) {
  const crypto::PublicKey* key = inputs.key ? &*inputs.key : nullptr;
  const std::string claims = digest.empty() ? " (claims not checked: no --image-digest)" : ", naming " + digest;
  if (inputs.layer.media_type == kDsseMediaType) {
    auto statement = policy::verified_statement(inputs.layer, inputs.attestor, key);
    if (!statement) return statement.error();
    if (!digest.empty()) {
      if (auto subject = policy::check_statement_subject(*statement, digest); !subject) return subject.error();
    }
    return "attestation of type " + statement->find("predicateType")->as_string() + " signed by " + inputs.signer +
           claims;
  }
  if (!digest.empty()) {
    if (auto checked = policy::check_signature(inputs.layer, inputs.attestor, key, digest); !checked) {
      return checked.error();
    }
    return "signature by " + inputs.signer + claims;
  }
  auto evidence = policy::signature_evidence(inputs.layer);
  if (!evidence) return evidence.error();
  if (auto verified = policy::verify_evidence(*evidence, inputs.attestor, key); !verified) return verified.error();
  // A payload that is no simple-signing document would fail every claims check: say so now.
  if (auto payload = crypto::parse_simple_signing(inputs.layer.payload); !payload) {
    return payload.error().context("the signed payload");
  }
  return "signature by " + inputs.signer + claims;
}

}  // namespace

int run_verify_signature(const std::vector<std::string>& args) {
  auto line = CommandLine::parse(args, {{"payload"},
                                        {"signature"},
                                        {"envelope"},
                                        {"key"},
                                        {"cert"},
                                        {"chain"},
                                        {"certificate-identity"},
                                        {"certificate-oidc-issuer"},
                                        {"bundle"},
                                        {"rfc3161"},
                                        {"trusted-root"},
                                        {"image-digest"},
                                        {"ignore-tlog", false},
                                        {"ignore-sct", false},
                                        {"help", false}});
  if (!line) {
    std::cerr << "signet verify-signature: " << line.error().message << "\n" << kVerifySignatureUsage;
    return kExitUsage;
  }
  if (line->has("help")) {
    std::cout << kVerifySignatureUsage;
    return kExitOk;
  }
  const auto usage = [](const std::string& problem) {
    std::cerr << "signet verify-signature: " << problem << "\n" << kVerifySignatureUsage;
    return kExitUsage;
  };
  const bool message = line->has("payload") || line->has("signature");
  if (message == line->has("envelope") || (message && !(line->has("payload") && line->has("signature")))) {
    return usage("give either --payload and --signature, or --envelope");
  }
  if (line->has("key") == line->has("cert")) return usage("give either --key or --cert");
  // Either identity flag alone is a keyless attestor checking that part only, as Kyverno's subject or
  // issuer alone: Fulcio's first certificates (2021) carry no issuer to compare.
  const bool identity = line->has("certificate-identity") || line->has("certificate-oidc-issuer");
  if (identity && !line->has("cert")) return usage("--certificate-identity and --certificate-oidc-issuer need --cert");
  if (line->has("chain") && !line->has("cert")) return usage("--chain needs --cert");
  if (!line->positional().empty()) return usage("unexpected argument " + line->positional().front());
  const std::string digest = line->get("image-digest");
  if (line->has("image-digest") && !crypto::is_valid_digest(digest)) {
    return usage("--image-digest must be a digest such as sha256:<64 hex>, not \"" + digest + "\"");
  }
  if (auto root = use_trusted_root_flag(*line); !root) return usage("--trusted-root: " + root.error().message);
  auto inputs = read_inputs(*line);
  if (!inputs) return usage(inputs.error().message);
  auto verdict = verify(*inputs, digest);
  if (!verdict) {
    std::cout << "not verified: " << verdict.error().message << "\n";
    return kExitFailed;
  }
  std::cout << "verified: " << *verdict << "\n";
  return kExitOk;
}

}  // namespace signet::server
