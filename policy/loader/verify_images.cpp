#include "policy/loader/verify_images.hpp"

#include <algorithm>

#include <re2/re2.h>

#include "crypto/encoding.hpp"
#include "crypto/public_key.hpp"
#include "oci/reference.hpp"
#include "policy/loader/fingerprint.hpp"
#include "policy/signer_identity.hpp"

namespace signet::policy::loader {

namespace {

// Nested attestor sets deeper than this are refused: no real policy needs them, and the limit keeps
// a hostile document from exhausting the stack.
constexpr int kMaxAttestorDepth = 8;

bool has_variables(std::string_view text) { return text.find("{{") != std::string_view::npos; }

// Attestor fields are substituted from the rule's context as they are read; a value still holding a
// variable (read where nothing substitutes it) cannot be honoured.
bool refuse_variables(const Field& field, std::string_view value) {
  if (!has_variables(value)) return false;
  field.refuse("variables ({{ … }}) in " + field.display_name() + " are not supported by signet yet");
  return true;
}

std::string parse_signature_algorithm(const Field& field) {
  std::string algorithm = field.string();
  if (algorithm.empty() || !field.present()) return "";
  if (algorithm != "sha224" && algorithm != "sha256" && algorithm != "sha384" && algorithm != "sha512") {
    field.refuse("signatureAlgorithm must be sha224, sha256, sha384 or sha512, got \"" + algorithm + "\"");
  }
  return algorithm;
}

// A PEM public key of a log (rekor.pubkey, ctlog.pubkey): it replaces the trusted root's logs.
std::vector<crypto::PublicKey> parse_log_keys(const Field& field, const std::string& pem) {
  if (pem.empty() || refuse_variables(field, pem)) return {};
  auto keys = crypto::PublicKey::all_from_pem(pem);
  if (!keys) {
    field.refuse(field.display_name() + " is not a valid PEM public key: " + keys.error().message);
    return {};
  }
  return std::move(*keys);
}

// PEM certificates (keyless.roots, certificates.certChain, ctlog.tsaCertChain). Kyverno also takes
// them base64-encoded.
std::vector<crypto::Certificate> parse_certificates(const Field& field, const std::string& text) {
  if (text.empty() || refuse_variables(field, text)) return {};
  std::string pem = text;
  if (text.find("-----BEGIN") == std::string::npos) {
    auto decoded = crypto::base64_decode(text);
    if (decoded) pem = std::move(*decoded);
  }
  auto certificates = crypto::Certificate::all_from_pem(pem);
  if (!certificates) {
    field.refuse(field.display_name() + " is not valid PEM certificates: " + certificates.error().message);
    return {};
  }
  return std::move(*certificates);
}

Rekor parse_rekor(const Field& field) {
  Rekor rekor;
  if (!field.check_fields({{"url"}, {"pubkey"}, {"ignoreTlog"}})) return rekor;
  std::string url = field["url"].string();
  if (!url.empty() && !refuse_variables(field["url"], url)) {
    if (!url.starts_with("https://") && !url.starts_with("http://")) {
      field["url"].refuse("url must be an http(s) URL, got \"" + url + "\"");
    }
    rekor.url = url;
  }
  rekor.pubkey = field["pubkey"].string();
  rekor.pubkeys = parse_log_keys(field["pubkey"], rekor.pubkey);
  rekor.ignore_tlog = field["ignoreTlog"].boolean(false);
  return rekor;
}

CTLog parse_ctlog(const Field& field) {
  CTLog ctlog;
  if (!field.check_fields({{"ignoreSCT"}, {"pubkey"}, {"tsaCertChain"}})) return ctlog;
  ctlog.ignore_sct = field["ignoreSCT"].boolean(false);
  ctlog.pubkey = field["pubkey"].string();
  ctlog.pubkeys = parse_log_keys(field["pubkey"], ctlog.pubkey);
  ctlog.tsa_cert_chain = field["tsaCertChain"].string();
  ctlog.tsa_chain = parse_certificates(field["tsaCertChain"], ctlog.tsa_cert_chain);
  return ctlog;
}

// An RE2 pattern (Go's syntax, linear time) compiled once at load; a bad one is refused with RE2's reason.
std::shared_ptr<const re2::RE2> parse_pattern(const Field& field, const std::string& pattern) {
  if (pattern.empty() || refuse_variables(field, pattern)) return nullptr;
  auto compiled = std::make_shared<const re2::RE2>(pattern, re2::RE2::Quiet);
  if (!compiled->ok()) {
    field.refuse(field.display_name() + " is not a valid regular expression: " + compiled->error());
    return nullptr;
  }
  return compiled;
}

KeylessAttestor parse_keyless(const Field& field) {
  KeylessAttestor keyless;
  if (!field.check_fields({{"subject"},
                           {"subjectRegExp"},
                           {"issuer"},
                           {"issuerRegExp"},
                           {"roots"},
                           {"additionalExtensions"},
                           {"rekor"},
                           {"ctlog"}})) {
    return keyless;
  }
  keyless.subject = field["subject"].string();
  keyless.subject_regexp = field["subjectRegExp"].string();
  keyless.issuer = field["issuer"].string();
  keyless.issuer_regexp = field["issuerRegExp"].string();
  refuse_variables(field["subject"], keyless.subject);
  refuse_variables(field["issuer"], keyless.issuer);
  keyless.subject_pattern = parse_pattern(field["subjectRegExp"], keyless.subject_regexp);
  keyless.issuer_pattern = parse_pattern(field["issuerRegExp"], keyless.issuer_regexp);
  keyless.roots_pem = field["roots"].string();
  keyless.roots = parse_certificates(field["roots"], keyless.roots_pem);
  keyless.additional_extensions = field["additionalExtensions"].string_map();
  for (const auto& [name, value] : keyless.additional_extensions) {
    if (!is_fulcio_extension(name)) {
      field["additionalExtensions"].refuse("\"" + name +
                                           "\" is not a Fulcio certificate extension (a name such as "
                                           "githubWorkflowRepository or sourceRepositoryURI, or an OID under "
                                           "1.3.6.1.4.1.57264.1)");
    }
    refuse_variables(field["additionalExtensions"], value);
  }
  if (field["rekor"].present()) keyless.rekor = parse_rekor(field["rekor"]);
  if (field["ctlog"].present()) keyless.ctlog = parse_ctlog(field["ctlog"]);
  return keyless;
}

CertificateAttestor parse_certificate_attestor(const Field& field) {
  CertificateAttestor certificates;
  if (!field.check_fields({{"cert"}, {"certChain"}, {"rekor"}, {"ctlog"}})) return certificates;
  certificates.cert_pem = field["cert"].string();
  auto cert = parse_certificates(field["cert"], certificates.cert_pem);
  if (cert.size() > 1) field["cert"].refuse("cert must hold one certificate; put the CAs in certChain");
  if (!cert.empty()) certificates.cert = std::move(cert.front());
  certificates.cert_chain_pem = field["certChain"].string();
  certificates.cert_chain = parse_certificates(field["certChain"], certificates.cert_chain_pem);
  if (certificates.cert_pem.empty() && certificates.cert_chain_pem.empty()) {
    field.refuse("certificates needs cert, certChain or both");
  }
  if (field["rekor"].present()) certificates.rekor = parse_rekor(field["rekor"]);
  if (field["ctlog"].present()) certificates.ctlog = parse_ctlog(field["ctlog"]);
  return certificates;
}

bool is_object_name(std::string_view name) {
  return !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// The keys in the `cosign.pub` of Secret `ns`/`name`, read now, so the entry's fingerprint covers them and
// a rotated key (a reload) changes the verdicts. `shown` is how the policy wrote the reference.
std::vector<crypto::PublicKey> read_secret_keys(const Field& field, const std::string& shown, const std::string& ns,
                                                const std::string& name, ClusterObjects* cluster) {
  if (cluster == nullptr) {
    field.refuse(field.display_name() + ": " + shown +
                 " is read from a Kubernetes Secret, which needs signet serve --kube-secrets");
    return {};
  }
  auto pem = cluster->public_key(ns, name);
  if (!pem) {
    // The reader's error names the Secret; a k8s:// reference is shown as written too.
    const bool named = shown == "Secret " + ns + "/" + name;
    field.refuse(field.display_name() + ": " + (named ? "" : shown + ": ") + pem.error().message);
    return {};
  }
  auto parsed = crypto::PublicKey::all_from_pem(*pem);
  if (!parsed) {
    field.refuse(field.display_name() + ": " + shown + ": cosign.pub of Secret " + ns + "/" + name +
                 " is not a valid PEM public key: " + parsed.error().message);
    return {};
  }
  return std::move(*parsed);
}

// cosign's `k8s://namespace/name`.
std::vector<crypto::PublicKey> resolve_secret_key(const Field& field, std::string_view reference,
                                                  ClusterObjects* cluster) {
  const std::string text(reference.substr(0, reference.find_last_not_of(" \t\r\n") + 1));
  const std::string path = text.substr(6);
  const std::size_t slash = path.find('/');
  if (slash == std::string::npos || !is_object_name(path.substr(0, slash)) || !is_object_name(path.substr(slash + 1))) {
    field.refuse(field.display_name() + ": \"" + text +
                 "\" is not a Secret reference of the form k8s://namespace/name");
    return {};
  }
  return read_secret_keys(field, text, path.substr(0, slash), path.substr(slash + 1), cluster);
}

// Kyverno's keys.secret {name, namespace}: the Secret's cosign.pub, as k8s:// reads it.
std::vector<crypto::PublicKey> parse_secret_reference(const Field& field, ClusterObjects* cluster) {
  if (!field.expect_map() || !field.check_fields({{"name"}, {"namespace"}})) return {};
  const std::string name = field["name"].string();
  const std::string ns = field["namespace"].string();
  for (const auto& [part, value] : {std::pair{"name", &name}, std::pair{"namespace", &ns}}) {
    if (!is_object_name(*value)) {
      (field[part].present() ? field[part] : field)
          .refuse(value->empty()
                      ? std::string("secret.") + part + " is required"
                      : std::string("secret.") + part + " must be a Kubernetes name, got \"" + *value + "\"");
      return {};
    }
  }
  return read_secret_keys(field, "Secret " + ns + "/" + name, ns, name, cluster);
}

// Public keys as Kyverno accepts them in `publicKeys` (and the deprecated `key`): PEM text holding one
// or several keys, or a k8s:// Secret reference resolved through `keys`. Other key references (KMS URIs)
// and variables are refused by name.
std::vector<crypto::PublicKey> parse_public_keys(const Field& field, const std::string& text,
                                                 ClusterObjects* resolver) {
  if (refuse_variables(field, text)) return {};
  std::string_view trimmed = text;
  trimmed.remove_prefix(std::min(trimmed.size(), trimmed.find_first_not_of(" \t\r\n")));
  if (trimmed.starts_with("k8s://")) return resolve_secret_key(field, trimmed, resolver);
  auto scheme = trimmed.find("://");
  if (scheme != std::string_view::npos && scheme < 20 && trimmed.find('\n') > scheme) {
    field.refuse(field.display_name() + ": key references (" + std::string(trimmed.substr(0, scheme)) +
                 "://) are not supported by signet yet");
    return {};
  }
  auto keys = crypto::PublicKey::all_from_pem(text);
  if (!keys) {
    field.refuse(field.display_name() + " is not a valid PEM public key: " + keys.error().message);
    return {};
  }
  return std::move(*keys);
}

StaticKeyAttestor parse_static_keys(const Field& field, const std::string& entry_algorithm, ClusterObjects* keys_from) {
  StaticKeyAttestor keys;
  if (!field.check_fields({{"publicKeys"},
                           {"signatureAlgorithm"},
                           {"kms", Support::UnsupportedUnlessEmpty, "KMS keys"},
                           {"secret"},
                           {"rekor"},
                           {"ctlog"}})) {
    return keys;
  }
  keys.public_keys_pem = field["publicKeys"].string();
  if (field["secret"].present()) {
    if (!keys.public_keys_pem.empty()) {
      field.refuse("keys takes publicKeys or secret, not both");
      return keys;
    }
    keys.public_keys = parse_secret_reference(field["secret"], keys_from);
  } else if (keys.public_keys_pem.empty()) {
    field.refuse("publicKeys is required: give one or more PEM public keys (or a secret holding cosign.pub)");
    return keys;
  } else {
    keys.public_keys = parse_public_keys(field["publicKeys"], keys.public_keys_pem, keys_from);
  }
  // Kyverno reads keys.signatureAlgorithm (deprecated) over the entry's signatureAlgorithm.
  std::string algorithm = parse_signature_algorithm(field["signatureAlgorithm"]);
  if (algorithm.empty()) algorithm = entry_algorithm;
  if (!algorithm.empty()) keys.signature_algorithm = algorithm;
  if (field["rekor"].present()) keys.rekor = parse_rekor(field["rekor"]);
  if (field["ctlog"].present()) keys.ctlog = parse_ctlog(field["ctlog"]);
  return keys;
}

void check_repository(const Field& field, const std::string& repository) {
  if (repository.empty() || refuse_variables(field, repository)) return;
  auto reference = oci::parse_reference(repository);
  if (!reference || repository.find('@') != std::string::npos) {
    field.refuse("repository must be an OCI repository such as registry.example/team/signatures" +
                 (reference ? std::string() : ": " + reference.error().message));
  }
}

AttestorSet parse_attestor_set(const Field& field, int depth, ClusterObjects* keys);

Attestor parse_attestor(const Field& field, int depth, ClusterObjects* keys) {
  Attestor attestor;
  if (!field.check_fields({{"keys"},
                           {"certificates"},
                           {"keyless"},
                           {"attestor"},
                           {"annotations"},
                           {"repository"},
                           {"signatureAlgorithm"}})) {
    return attestor;
  }
  int kinds = 0;
  for (const char* kind : {"keys", "certificates", "keyless", "attestor"}) kinds += field[kind].present() ? 1 : 0;
  if (kinds == 0) {
    field.refuse("an attestor entry needs one of keys, certificates, keyless or attestor");
    return attestor;
  }
  if (kinds > 1) {
    field.refuse("an attestor entry takes only one of keys, certificates, keyless and attestor");
    return attestor;
  }
  std::string algorithm = parse_signature_algorithm(field["signatureAlgorithm"]);
  if (field["keys"].present()) {
    if (field["keys"].expect_map()) attestor.keys = parse_static_keys(field["keys"], algorithm, keys);
  } else if (field["keyless"].present()) {
    if (field["keyless"].expect_map()) attestor.keyless = parse_keyless(field["keyless"]);
  } else if (field["certificates"].present()) {
    if (field["certificates"].expect_map()) attestor.certificates = parse_certificate_attestor(field["certificates"]);
  } else if (depth >= kMaxAttestorDepth) {
    field["attestor"].refuse("attestors are nested more than " + std::to_string(kMaxAttestorDepth) + " deep");
  } else if (field["attestor"].expect_map()) {
    attestor.attestor = std::make_shared<const AttestorSet>(parse_attestor_set(field["attestor"], depth + 1, keys));
  }
  attestor.annotations = field["annotations"].string_map();
  for (const auto& [key, value] : attestor.annotations) refuse_variables(field["annotations"], value);
  attestor.repository = field["repository"].string();
  check_repository(field["repository"], attestor.repository);
  return attestor;
}

AttestorSet parse_attestor_set(const Field& field, int depth, ClusterObjects* keys) {
  AttestorSet set;
  if (!field.check_fields({{"count"}, {"entries"}})) return set;
  std::size_t written = 0;
  for (const Field& item : field["entries"].items()) {
    ++written;
    if (!item.expect_map()) continue;
    set.add(parse_attestor(item, depth, keys));
  }
  if (written == 0) {
    (field["entries"].present() ? field["entries"] : field)
        .refuse("entries is required: an attestor set needs at least one entry");
  }
  if (auto count = field["count"].integer()) {
    if (*count < 1) {
      field["count"].refuse("count must be at least 1");
    } else if (static_cast<std::size_t>(*count) > written) {
      field["count"].refuse("count (" + std::to_string(*count) + ") cannot exceed the number of entries (" +
                            std::to_string(written) + ")");
    } else {
      set.count = static_cast<int>(*count);
    }
  }
  return set;
}

// verifyImages[].annotations (deprecated) apply to every attestor that has none of its own.
void inherit_annotations(std::vector<AttestorSet>& sets, const std::map<std::string, std::string>& annotations) {
  for (AttestorSet& set : sets) {
    for (Attestor& attestor : set.entries) {
      if (attestor.annotations.empty()) attestor.annotations = annotations;
      if (attestor.attestor) {
        std::vector<AttestorSet> nested = {*attestor.attestor};
        inherit_annotations(nested, annotations);
        attestor.attestor = std::make_shared<const AttestorSet>(std::move(nested.front()));
      }
    }
  }
}

void parse_type(const Field& field, ImageVerification& verification) {
  std::string type = field.string();
  if (!field.present() || type == "Cosign") return;
  if (type == "Notary") {
    field.refuse("type " + type + " is not supported by signet yet (Cosign and SigstoreBundle are)");
  } else if (type != "SigstoreBundle") {
    field.refuse("type must be Cosign, SigstoreBundle or Notary, got \"" + type + "\"");
  }
  verification.type = type == "Notary" ? VerificationType::Notary : VerificationType::SigstoreBundle;
}

// Whether a condition's key or value reads the admission (request, images, image) rather than only the
// predicate.
bool reads_request(const json::Value& value) {
  if (value.is_string()) {
    const std::string& text = value.as_string();
    // {{image.tag}} too: the verdict is cached per digest, and one digest may come under several tags.
    return text.find("{{") != std::string::npos &&
           (text.find("request") != std::string::npos || text.find("image") != std::string::npos);
  }
  if (value.is_array()) {
    for (const auto& item : value.as_array()) {
      if (reads_request(item)) return true;
    }
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.as_object()) {
      if (reads_request(item)) return true;
    }
  }
  return false;
}

std::vector<Condition> parse_conditions(const Field& field) {
  std::vector<Condition> out;
  for (const Field& item : field.items()) {
    if (!item.expect_map() || !item.check_fields({{"key"}, {"operator"}, {"value"}, {"message"}})) continue;
    const std::string name = item["operator"].string();
    const auto op = parse_condition_operator(name);
    if (!op) {
      item["operator"].refuse(name.empty() ? "operator is required"
                                           : "unknown operator \"" + name +
                                                 "\" (Equals, NotEquals, AnyIn, AllIn, AnyNotIn, AllNotIn, "
                                                 "GreaterThan, GreaterThanOrEquals, LessThan, LessThanOrEquals, …)");
      continue;
    }
    out.push_back({item["key"].to_json(), *op, item["value"].to_json(), item["message"].string()});
  }
  return out;
}

// attestations[].conditions: Kyverno's AnyAllConditions.
std::vector<ConditionBlock> parse_condition_blocks(const Field& field) {
  std::vector<ConditionBlock> out;
  for (const Field& item : field.items()) {
    if (!item.expect_map() || !item.check_fields({{"any"}, {"all"}})) continue;
    // Kyverno fails a block whose `any` is an empty list; a policy saying so is a mistake.
    if (item["any"].is_sequence() && item["any"].items().empty()) {
      item["any"].refuse("an empty any never holds: remove it or list conditions");
    }
    out.push_back({parse_conditions(item["any"]), parse_conditions(item["all"])});
  }
  return out;
}

Attestation parse_attestation(const Field& field, ClusterObjects* keys, const RuleContext& rule_context) {
  Attestation attestation;
  if (!field.check_fields({{"name"}, {"type"}, {"predicateType"}, {"attestors"}, {"conditions"}})) return attestation;
  attestation.name = field["name"].string();
  // `type` replaced `predicateType`; Kyverno reads the older name when the new one is empty.
  attestation.predicate_type = field["type"].string();
  if (attestation.predicate_type.empty()) attestation.predicate_type = field["predicateType"].string();
  if (attestation.predicate_type.empty()) field.refuse("type is required: the predicate type to verify");
  for (const Field& item : field["attestors"].with_variables(rule_context).items()) {
    if (item.expect_map()) attestation.attestors.push_back(parse_attestor_set(item, 0, keys));
  }
  attestation.conditions = parse_condition_blocks(field["conditions"]);
  if (!attestation.conditions.empty()) attestation.context = rule_context.values();
  return attestation;
}

// A Kubernetes secret name (an RFC 1123 subdomain): it also names a folder, so nothing else may pass.
bool valid_secret_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '-' || c == '.'; }) &&
         name.find("..") == std::string::npos;
}

// imageRegistryCredentials: `secrets` are read from the mounted secrets folder; the `default` provider
// is signet's own credentials. Cloud providers and plain HTTP per rule are refused with what to do instead.
std::optional<ImageRegistryCredentials> parse_registry_credentials(const Field& field) {
  if (!field.present() || !field.check_fields({{"allowInsecureRegistry"}, {"providers"}, {"secrets"}}))
    return std::nullopt;
  ImageRegistryCredentials credentials;
  credentials.allow_insecure_registry = field["allowInsecureRegistry"].boolean(false);
  if (credentials.allow_insecure_registry) {
    field["allowInsecureRegistry"].refuse(
        "allowInsecureRegistry is not supported per rule: start signet with --insecure-registry HOST[:PORT]");
  }
  credentials.providers = field["providers"].strings();
  for (const auto& provider : credentials.providers) {
    if (provider == "default") continue;
    if (provider == "amazon" || provider == "azure" || provider == "google" || provider == "github") {
      field["providers"].refuse("provider \"" + provider +
                                "\" is not supported: put the registry's credentials in a dockerconfigjson secret "
                                "and list it in secrets");
    } else {
      field["providers"].refuse("providers must be default, amazon, azure, google or github, got \"" + provider + "\"");
    }
  }
  credentials.secrets = field["secrets"].strings();
  for (const auto& secret : credentials.secrets) {
    if (!valid_secret_name(secret)) {
      field["secrets"].refuse("\"" + secret + "\" is not a valid secret name (lowercase letters, digits, '-' and '.')");
    }
  }
  return credentials;
}

bool check_entry_fields(const Field& field, const SchemaContext& context) {
  if (!context.v1) {
    return field.check_fields({{"failureAction"},
                               {"type"},
                               {"imageReferences"},
                               {"skipImageReferences"},
                               {"attestors"},
                               {"attestations"},
                               {"repository"},
                               {"mutateDigest"},
                               {"verifyDigest"},
                               {"validate"},
                               {"required"},
                               {"imageRegistryCredentials"},
                               {"useCache"}});
  }
  return field.check_fields({{"failureAction"},
                             {"type"},
                             {"image"},
                             {"imageReferences"},
                             {"skipImageReferences"},
                             {"key"},
                             {"roots"},
                             {"subject"},
                             {"issuer"},
                             {"additionalExtensions", Support::UnsupportedUnlessEmpty,
                              "the deprecated entry-level additionalExtensions (Kyverno ignores it; use "
                              "attestors[].entries[].keyless.additionalExtensions)"},
                             {"attestors"},
                             {"attestations"},
                             {"annotations"},
                             {"repository"},
                             {"cosignOCI11", Support::UnsupportedUnlessEmpty, "signatures stored as OCI 1.1 referrers"},
                             {"mutateDigest"},
                             {"verifyDigest"},
                             {"validate"},
                             {"required"},
                             {"imageRegistryCredentials"},
                             {"useCache"}});
}

}  // namespace

AttestorSet parse_attestors(const Field& field, ClusterObjects* keys) { return parse_attestor_set(field, 0, keys); }

ImageVerification parse_image_verification(const Field& entry, const SchemaContext& context,
                                           const RuleContext& rule_context, FailureAction policy_action) {
  ImageVerification verification;
  if (!check_entry_fields(entry, context)) return verification;
  // Attestor fields, the deprecated ones here included, are resolved now from the rule's context; image
  // references and conditions are read as written.
  const Field field = entry.with_variables(rule_context);

  parse_type(entry["type"], verification);
  if (entry["failureAction"].present()) {
    std::string action = entry["failureAction"].string();
    // The CRD takes only the capitalised forms here, unlike spec.validationFailureAction.
    if (action == "Enforce" || action == "Audit") {
      verification.failure_action = parse_failure_action(action);
    } else {
      field["failureAction"].refuse("failureAction must be Enforce or Audit, got \"" + action + "\"");
    }
  }

  verification.image_references = entry["imageReferences"].strings();
  std::string image = entry["image"].string();
  if (!image.empty()) verification.image_references.push_back(image);
  for (const auto& reference : verification.image_references) {
    if (has_variables(reference)) entry["imageReferences"].refuse("variables are not allowed in image references");
  }
  verification.skip_image_references = entry["skipImageReferences"].strings();
  for (const auto& reference : verification.skip_image_references) {
    refuse_variables(entry["skipImageReferences"], reference);
  }

  for (const Field& item : field["attestors"].items()) {
    if (item.expect_map()) verification.attestors.push_back(parse_attestor_set(item, 0, context.keys));
  }
  for (const Field& item : entry["attestations"].items()) {
    if (item.expect_map()) verification.attestations.push_back(parse_attestation(item, context.keys, rule_context));
  }
  for (std::size_t i = 0; i < verification.attestations.size(); ++i) {
    const Attestation& attestation = verification.attestations[i];
    if (attestation.attestors.empty() && verification.attestors.empty() && field["key"].string().empty()) {
      field["attestations"].items()[i].refuse(
          "an attestation needs attestors, its own or the entry's: Kyverno would accept a signature by any Fulcio "
          "certificate here, which signet refuses by design (name the signer with a keyless attestor)");
    }
    for (const auto& block : attestation.conditions) {
      for (const auto* list : {&block.any, &block.all}) {
        for (const auto& condition : *list) {
          if (reads_request(condition.key) || reads_request(condition.value))
            verification.verdict_depends_on_request = true;
        }
      }
    }
  }
  auto annotations = field["annotations"].string_map();
  for (const auto& [key, value] : annotations) refuse_variables(field["annotations"], value);
  std::string key = field["key"].string();
  if (!key.empty()) {
    // Kyverno's Convert(): `key` becomes one more attestor set holding that key and the annotations.
    Attestor attestor;
    StaticKeyAttestor keys;
    keys.public_keys_pem = key;
    keys.public_keys = parse_public_keys(field["key"], key, context.keys);
    attestor.keys = std::move(keys);
    AttestorSet set;
    set.add(std::move(attestor));
    verification.attestors.push_back(std::move(set));
  } else if (!field["issuer"].string().empty()) {
    // The deprecated keyless form: issuer (required, as in Kyverno's Convert), subject and roots.
    Attestor attestor;
    KeylessAttestor keyless;
    keyless.issuer = field["issuer"].string();
    keyless.subject = field["subject"].string();
    refuse_variables(field["issuer"], keyless.issuer);
    refuse_variables(field["subject"], keyless.subject);
    keyless.roots_pem = field["roots"].string();
    keyless.roots = parse_certificates(field["roots"], keyless.roots_pem);
    attestor.keyless = std::move(keyless);
    verification.attestors.push_back(AttestorSet{std::nullopt, {std::move(attestor)}});
  } else if (!field["subject"].string().empty() || !field["roots"].string().empty()) {
    field.refuse("the deprecated subject and roots need issuer (Kyverno ignores them without it)");
  }
  if (!annotations.empty()) {
    if (verification.attestors.empty()) {
      field["annotations"].refuse("annotations are checked by attestors, and this entry has none");
    }
    inherit_annotations(verification.attestors, annotations);
  }

  verification.repository = field["repository"].string();
  check_repository(field["repository"], verification.repository);
  verification.mutate_digest = field["mutateDigest"].boolean(true);
  verification.verify_digest = field["verifyDigest"].boolean(true);
  verification.required = field["required"].boolean(true);
  verification.use_cache = field["useCache"].boolean(true);
  verification.image_registry_credentials = parse_registry_credentials(entry["imageRegistryCredentials"]);
  if (entry["validate"].check_fields({{"message"}, {"deny", Support::Unsupported, "deny conditions"}})) {
    verification.validate_message = entry["validate"]["message"].string();
  }

  if (verification.image_references.empty()) {
    field.refuse("imageReferences is required: list the images this entry verifies");
  }
  if (verification.failure_action.value_or(policy_action) == FailureAction::Audit && verification.mutate_digest) {
    (field["mutateDigest"].present() ? field["mutateDigest"] : field)
        .refuse("mutateDigest must be false when the failure action is Audit (Kyverno refuses this too)");
  }
  if (!field.problems().any()) verification.fingerprint = fingerprint_of(verification);
  return verification;
}

}  // namespace signet::policy::loader
