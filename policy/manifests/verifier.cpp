#include "policy/manifests/verifier.hpp"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <vector>

#include "crypto/encoding.hpp"
#include "policy/loader/yaml.hpp"
#include "policy/manifests/diff.hpp"
#include "policy/manifests/ignore.hpp"
#include "policy/manifests/message.hpp"

namespace signet::policy::manifest {
namespace {

namespace asio = boost::asio;

using Status = Verdict::Status;

// One `signature[_N]` annotation with its keyless companions.
struct SignatureSet {
  std::string key;  // the annotation's name, for messages
  std::string signature;
  bool keyless = false;  // a certificate or bundle annotation comes with it
};

// At most this many signed documents of the object's kind are created in dry-run, one request each, to
// bound an admission's calls to the API server.
constexpr std::size_t kMaxDryRuns = 10;

// What the object carries, read once for every attestor.
struct Evidence {
  std::optional<Verdict> problem;  // no message, no document of the kind, undecodable: the same for every key
  std::string signed_bytes;
  std::vector<json::Value> candidates;  // the signed documents the object may match, closest first
  std::vector<std::string> ignored;     // the fields left out of the comparison
  std::vector<Difference> differences;  // against the closest document; empty when one matched
  std::string compared_with = "its signed manifest";
  bool undecided = false;  // differences a dry-run, not made, might explain
  std::vector<SignatureSet> signatures;
};

std::string annotation(const json::Value& object, const std::string& key) {
  const json::Value* annotations = object.find("metadata");
  if (annotations != nullptr) annotations = annotations->find("annotations");
  const json::Value* value = annotations != nullptr ? annotations->find(key) : nullptr;
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

bool has_annotation(const json::Value& object, const std::string& key) {
  const json::Value* annotations = object.find("metadata");
  if (annotations != nullptr) annotations = annotations->find("annotations");
  return annotations != nullptr && annotations->find(key) != nullptr;
}

// The YAML documents of the message as JSON, typed as Kubernetes reads YAML.
Result<std::vector<json::Value>> documents_of(const Message& message) {
  std::vector<json::Value> out;
  for (const auto& file : message.yaml_files) {
    auto pieces = split_documents(file);
    if (!pieces) return pieces.error().context("the signed YAML");
    for (const auto& piece : *pieces) {
      if (out.size() == kMaxDocuments) return Error::invalid("the signed YAML holds more than 1000 documents");
      YAML::Node node;
      try {
        node = YAML::Load(piece);
      } catch (const YAML::Exception& error) {
        return Error::invalid("the signed YAML cannot be read: " + error.msg);
      }
      loader::Problems problems;
      json::Value value = loader::Field::root(node, 0, problems).to_json();
      if (value.is_object()) out.push_back(std::move(value));
    }
  }
  return out;
}

// k8s-manifest-sigstore's candidates: the documents of the object's kind, those that also share its
// group and name first (then its namespace too).
std::vector<const json::Value*> candidates(const std::vector<json::Value>& documents, const ObjectReference& object) {
  std::vector<const json::Value*> same_kind, same_name, same_namespace;
  for (const auto& document : documents) {
    const ObjectReference reference = reference_of(document);
    if (reference.kind != object.kind) continue;
    same_kind.push_back(&document);
    if (reference.group == object.group && reference.name == object.name) {
      same_name.push_back(&document);
      if (reference.namespace_name == object.namespace_name) same_namespace.push_back(&document);
    }
  }
  if (!same_namespace.empty()) return {same_namespace.front()};
  if (!same_name.empty()) return {same_name.front()};
  return same_kind;
}

Evidence read_evidence(const ManifestValidation& rule, const json::Value& object) {
  Evidence evidence;
  const std::string& domain = rule.annotation_domain;
  const std::string message_key = annotation_key(domain, "message");
  if (!has_annotation(object, message_key)) {
    evidence.problem = Verdict{Status::Fail, "no signature found: the resource has no " + message_key +
                                                 " annotation (sign it with kubectl sigstore sign or signet "
                                                 "sign-manifest)"};
    return evidence;
  }
  auto message = decode_message(annotation(object, message_key));
  if (!message) {
    evidence.problem = Verdict{Status::Fail, message.error().message};
    return evidence;
  }
  auto documents = documents_of(*message);
  if (!documents) {
    evidence.problem = Verdict{Status::Fail, documents.error().message};
    return evidence;
  }
  const ObjectReference reference = reference_of(object);
  const auto found = candidates(*documents, reference);
  if (found.empty()) {
    evidence.problem =
        Verdict{Status::Fail, "the signed YAML in " + message_key + " holds no " + reference.kind + " manifest"};
    return evidence;
  }
  evidence.ignored = ignored_fields(reference, rule);
  for (std::size_t i = 0; i < found.size(); ++i) {
    auto diff = differences(*found[i], object, evidence.ignored);
    if (diff.empty()) {
      evidence.differences.clear();
      break;
    }
    if (i == 0) evidence.differences = std::move(diff);
  }
  evidence.undecided = rule.dry_run_namespace && !evidence.differences.empty();
  if (evidence.undecided) {
    for (const json::Value* document : found) evidence.candidates.push_back(*document);
  }
  evidence.signed_bytes = std::move(message->signed_bytes);
  for (int i = 0;; ++i) {
    const std::string key = annotation_key(domain, "signature", i);
    if (!has_annotation(object, key)) break;
    const bool keyless = has_annotation(object, annotation_key(domain, "certificate", i)) ||
                         has_annotation(object, annotation_key(domain, "bundle", i));
    evidence.signatures.push_back({key, annotation(object, key), keyless});
  }
  if (evidence.signatures.empty()) {
    evidence.problem = Verdict{Status::Fail, "no signature found: the resource has a " + message_key + " but no " +
                                                 annotation_key(domain, "signature") + " annotation"};
  }
  return evidence;
}

// One key against every signature set: verified by any.
Verdict verify_key(const StaticKeyAttestor& keys, const Evidence& evidence) {
  auto hash = crypto::parse_hash_algorithm(keys.signature_algorithm);
  if (!hash) return {Status::Error, hash.error().message};
  std::vector<std::string> failures;
  bool keyless_only = true;
  for (const auto& set : evidence.signatures) {
    if (set.keyless) {
      failures.push_back(set.key + " carries a keyless certificate or bundle, which signet does not verify yet");
      continue;
    }
    keyless_only = false;
    auto raw = crypto::base64_decode(set.signature);
    if (!raw) {
      failures.push_back(set.key + " is not base64");
      continue;
    }
    for (const auto& key : keys.public_keys) {
      auto verified = key.verify(evidence.signed_bytes, *raw, *hash);
      if (verified) return {Status::Pass, ""};
      failures.push_back(set.key + ": " + verified.error().message);
    }
  }
  std::string joined;
  for (const auto& failure : failures) joined += (joined.empty() ? "" : "; ") + failure;
  // Only keyless signatures: signet cannot tell, which is not the same as a bad signature.
  return {keyless_only ? Status::Error : Status::Fail, "no signature verifies with the key: " + joined};
}

Verdict verify_attestor(const Attestor& attestor, const json::Value& object, const Evidence& evidence,
                        const std::string& path);

Verdict verify_set(const AttestorSet& set, const json::Value& object, const Evidence& evidence,
                   const std::string& path) {
  const int required = set.required_count();
  int verified = 0;
  std::vector<std::string> failures;
  std::vector<std::string> errors;
  for (const Attestor& attestor : set.entries) {
    const std::string entry_path = path + ".entries[" + std::to_string(attestor.written_index) + "]";
    Verdict verdict = verify_attestor(attestor, object, evidence, entry_path);
    if (verdict.status == Status::Pass) {
      if (++verified >= required) return {Status::Pass, ""};
    } else {
      (verdict.status == Status::Error ? errors : failures).push_back(verdict.message);
    }
  }
  auto join = [](const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += (out.empty() ? "" : "; ") + line;
    return out;
  };
  const std::string counts = "manifest verification failed: " + std::to_string(verified) + " of " +
                             std::to_string(required) + " required attestors verified; ";
  if (!errors.empty()) return {Status::Error, counts + join(errors)};
  return {Status::Fail, counts + join(failures)};
}

Verdict verify_attestor(const Attestor& attestor, const json::Value& object, const Evidence& evidence,
                        const std::string& path) {
  for (const auto& [key, value] : attestor.annotations) {
    const std::string actual = annotation(object, key);
    if (actual != value) {
      return {Status::Fail, path + ": annotation " + key + " is \"" + actual + "\", expected \"" + value + "\""};
    }
  }
  if (attestor.attestor) return verify_set(*attestor.attestor, object, evidence, path + ".attestor");
  if (!attestor.keys) return {Status::Error, path + ": only keys attestors are supported by signet yet"};
  if (evidence.problem) return {evidence.problem->status, path + ".keys: " + evidence.problem->message};
  Verdict signature = verify_key(*attestor.keys, evidence);
  if (signature.status != Status::Pass) return {signature.status, path + ".keys: " + signature.message};
  if (!evidence.differences.empty()) {
    const std::string differs =
        path + ".keys: the resource differs from " + evidence.compared_with + " at " + describe(evidence.differences);
    if (evidence.undecided) return {Status::Error, differs + ", and the dry-run of dryRun.enable was not made"};
    return {Status::Fail, differs};
  }
  return {Status::Pass, ""};
}

Verdict verify_attestors(const ManifestValidation& rule, const json::Value& object, const Evidence& evidence) {
  for (std::size_t i = 0; i < rule.attestors.size(); ++i) {
    Verdict verdict = verify_set(rule.attestors[i], object, evidence, "attestors[" + std::to_string(i) + "]");
    if (verdict.status != Status::Pass) return verdict;
  }
  return {Status::Pass, ""};
}

// The differences left once each candidate is created in dry-run: none when one matches, else the
// closest candidate's.
asio::awaitable<Result<std::vector<Difference>>> dry_run_differences(const Evidence& evidence,
                                                                     const json::Value& object,
                                                                     const std::string& namespace_name,
                                                                     DryRunner& dry_runner, oci::Deadline deadline) {
  std::vector<Difference> closest;
  for (std::size_t i = 0; i < evidence.candidates.size() && i < kMaxDryRuns; ++i) {
    const json::Value& document = evidence.candidates[i];
    // Named, never a temporary in a co_await expression: g++ 12 destroys those wrongly across a suspension.
    const json::Value sent = dry_run_object(document);
    auto answer = co_await dry_runner.create(sent, namespace_name, deadline);
    if (!answer) co_return answer.error();
    auto diff = differences(as_signed(*answer, document), object, evidence.ignored);
    if (diff.empty()) co_return std::vector<Difference>();
    if (i == 0) closest = std::move(diff);
  }
  co_return closest;
}

}  // namespace

Verdict verify(const ManifestValidation& rule, const json::Value& object) {
  if (!object.is_object()) return {Status::Error, "the request holds no object to verify"};
  return verify_attestors(rule, object, read_evidence(rule, object));
}

asio::awaitable<Verdict> verify(const ManifestValidation& rule, const json::Value& object, DryRunner& dry_runner,
                                oci::Deadline deadline) {
  if (!object.is_object()) co_return Verdict{Status::Error, "the request holds no object to verify"};
  Evidence evidence = read_evidence(rule, object);
  if (evidence.undecided && !evidence.problem) {
    Evidence signatures_only = evidence;
    signatures_only.differences.clear();
    if (verify_attestors(rule, object, signatures_only).status == Status::Pass) {
      // As k8s-manifest-sigstore: a cluster-scoped object is created without a namespace.
      const std::string namespace_name = reference_of(object).namespace_name.empty() ? "" : *rule.dry_run_namespace;
      auto remaining = co_await dry_run_differences(evidence, object, namespace_name, dry_runner, deadline);
      if (!remaining) {
        co_return Verdict{Status::Error, "the resource differs from its signed manifest at " +
                                             describe(evidence.differences) +
                                             ", and dryRun could not tell whether "
                                             "the API server accounts for it: " +
                                             remaining.error().message};
      }
      evidence.differences = std::move(*remaining);
      evidence.undecided = false;
      evidence.compared_with =
          "its signed manifest as the API server creates it (dry-run in " +
          (namespace_name.empty() ? std::string("the cluster scope") : "namespace " + namespace_name) + ")";
    }
  }
  co_return verify_attestors(rule, object, evidence);
}

}  // namespace signet::policy::manifest
