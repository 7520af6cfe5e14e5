#include "policy/loader/fingerprint.hpp"

#include "crypto/digest.hpp"

namespace signet::policy::loader {

namespace {

// Length-prefixed fields, so no two different entries serialise alike whatever their text holds.
class Canonical {
 public:
  void field(std::string_view name, std::string_view value) {
    text_ += name;
    text_ += '=';
    text_ += std::to_string(value.size());
    text_ += ':';
    text_ += value;
    text_ += ';';
  }
  void field(std::string_view name, bool value) { field(name, value ? std::string_view("true") : "false"); }
  void field(std::string_view name, int value) { field(name, std::string_view(std::to_string(value))); }
  void list(std::string_view name, const std::vector<std::string>& values) {
    field(name, static_cast<int>(values.size()));
    for (const auto& value : values) field("-", value);
  }
  void map(std::string_view name, const std::map<std::string, std::string>& values) {
    field(name, static_cast<int>(values.size()));
    for (const auto& [key, value] : values) {
      field("k", key);
      field("v", value);
    }
  }
  void open(std::string_view name) { text_ += std::string(name) + "{"; }
  void close() { text_ += "}"; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

void write_set(Canonical& out, const AttestorSet& set);

void write_logs(Canonical& out, const Rekor& rekor, const CTLog& ctlog) {
  out.field("rekor.url", rekor.url);
  out.field("rekor.pubkey", rekor.pubkey);
  out.field("rekor.ignoreTlog", rekor.ignore_tlog);
  out.field("ctlog.ignoreSCT", ctlog.ignore_sct);
  out.field("ctlog.pubkey", ctlog.pubkey);
  out.field("ctlog.tsaCertChain", ctlog.tsa_cert_chain);
}

void write_attestor(Canonical& out, const Attestor& attestor) {
  out.open("attestor");
  if (attestor.keys) {
    const StaticKeyAttestor& keys = *attestor.keys;
    out.open("keys");
    out.field("count", static_cast<int>(keys.public_keys.size()));
    for (const auto& key : keys.public_keys) out.field("spki", key.fingerprint());
    out.field("signatureAlgorithm", keys.signature_algorithm);
    write_logs(out, keys.rekor, keys.ctlog);
    out.close();
  }
  if (attestor.keyless) {
    const KeylessAttestor& keyless = *attestor.keyless;
    out.open("keyless");
    out.field("subject", keyless.subject);
    out.field("subjectRegExp", keyless.subject_regexp);
    out.field("issuer", keyless.issuer);
    out.field("issuerRegExp", keyless.issuer_regexp);
    out.field("roots", keyless.roots_pem);
    out.map("additionalExtensions", keyless.additional_extensions);
    write_logs(out, keyless.rekor, keyless.ctlog);
    out.close();
  }
  if (attestor.certificates) {
    const CertificateAttestor& certificates = *attestor.certificates;
    out.open("certificates");
    out.field("cert", certificates.cert_pem);
    out.field("certChain", certificates.cert_chain_pem);
    write_logs(out, certificates.rekor, certificates.ctlog);
    out.close();
  }
  if (attestor.attestor) {
    out.open("nested");
    write_set(out, *attestor.attestor);
    out.close();
  }
  out.map("annotations", attestor.annotations);
  out.field("repository", attestor.repository);
  out.close();
}

void write_set(Canonical& out, const AttestorSet& set) {
  out.open("set");
  out.field("required", set.required_count());
  out.field("entries", static_cast<int>(set.entries.size()));
  for (const auto& attestor : set.entries) write_attestor(out, attestor);
  out.close();
}

const char* type_name(VerificationType type) {
  switch (type) {
    case VerificationType::Cosign:
      return "Cosign";
    case VerificationType::SigstoreBundle:
      return "SigstoreBundle";
    case VerificationType::Notary:
      return "Notary";
  }
  return "?";
}

}  // namespace

std::string fingerprint_of(const ImageVerification& verification) {
  Canonical out;
  out.field("format", std::string_view("signet.verifyImages.v1"));
  out.field("type", std::string_view(type_name(verification.type)));
  out.list("imageReferences", verification.image_references);
  out.list("skipImageReferences", verification.skip_image_references);
  out.field("repository", verification.repository);
  out.field("required", verification.required);
  out.field("verifyDigest", verification.verify_digest);
  out.field("cosignOCI11", verification.cosign_oci11);
  if (const auto& credentials = verification.image_registry_credentials) {
    out.open("imageRegistryCredentials");
    out.field("allowInsecureRegistry", credentials->allow_insecure_registry);
    out.list("providers", credentials->providers);
    out.list("secrets", credentials->secrets);
    out.close();
  }
  out.field("attestors", static_cast<int>(verification.attestors.size()));
  for (const auto& set : verification.attestors) write_set(out, set);
  out.field("attestations", static_cast<int>(verification.attestations.size()));
  for (const auto& attestation : verification.attestations) {
    out.open("attestation");
    out.field("name", attestation.name);
    out.field("predicateType", attestation.predicate_type);
    for (const auto& set : attestation.attestors) write_set(out, set);
    out.field("context", json::to_json(attestation.context));  // what the conditions see beside the statement
    for (const auto& block : attestation.conditions) {
      out.open("conditions");
      for (const auto& [name, list] : {std::pair{"any", &block.any}, std::pair{"all", &block.all}}) {
        out.field(name, static_cast<int>(list->size()));
        for (const auto& condition : *list) {
          out.field("key", json::to_json(condition.key));
          out.field("operator", std::string_view(to_string(condition.op)));
          out.field("value", json::to_json(condition.value));
          out.field("message", condition.message);
        }
      }
      out.close();
    }
    out.close();
  }
  return crypto::sha256_hex(out.text());
}

}  // namespace signet::policy::loader
