#include <catch2/catch.hpp>

#include "crypto/dsse.hpp"
#include "crypto/encoding.hpp"
#include "crypto/pem.hpp"
#include "crypto/rekor_entry.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "openssl_signer.hpp"
#include "rekor_test_support.hpp"

using namespace signet::crypto;
using namespace signet::test;

namespace {

// Real cosign signatures that carry a `dev.sigstore.cosign/bundle` annotation and should verify.
const std::vector<std::string> kSetFixtures = {
    "att-policy-controller-distroless-vuln-keyless",
    "keyless-cimage-fulcio-rekor",
    "keyless-cimage-rekor-set-testdata",
    "keyless-connaisseur",
    "keyless-ratify-wabbitnetworks",
    "keyless-salrashid-github-actions-2026",
    "keyless-salrashid-google-sa-2023",
    "keyless-sigstore-rs-kubewarden-rekord-2021",
    "keyrekor-cimage-cosign",
    "keyrekor-sigstore-rs-busybox-rekord",
    "setonly-cosign-spec-example",
    "neg-policy-controller-distroless-predicate-rewritten",  // its SET is fine; its envelope is not
};

bool have_cosign_real() {
  if (fs::is_directory(cosign_real_dir())) return true;
  WARN("skipped: no real cosign vectors under " << cosign_real_dir());
  return false;
}

TlogEntry entry_of(const fs::path& dir) {
  auto entry = parse_cosign_rekor_bundle(read_file(dir / "bundle.json"));
  INFO(dir);
  REQUIRE(entry.ok());
  return *entry;
}

std::string first_der(const std::string& pem) {
  auto blocks = parse_pem_blocks(pem);
  REQUIRE(blocks.ok());
  return blocks->front().der;
}

// What a cosign image signature's entry must name: SHA-256 of the payload, the annotation's signature,
// the certificate or key.
SignedArtifact artifact_of(const fs::path& dir) {
  auto signature = base64_decode(read_file(dir / "signature.b64"));
  REQUIRE(signature.ok());
  std::string verifier;
  if (fs::exists(dir / "cert.pem")) {
    verifier = first_der(read_file(dir / "cert.pem"));
  } else {
    auto key = PublicKey::from_pem(read_file(dir / "key.pub"));
    REQUIRE(key.ok());
    verifier = key->der();
  }
  return SignedArtifact{sha256_bytes(read_file(dir / "payload.json")), *signature, std::nullopt, verifier};
}

}  // namespace

TEST_CASE("the SET of every real cosign Rekor bundle verifies with the public-good Rekor key", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  int verified = 0;
  for (const auto& name : kSetFixtures) {
    const auto dir = cosign_real_dir() / name;
    INFO(name);
    const auto entry = entry_of(dir);
    const auto log = log_from_pem(read_file(dir / "rekor.pub"));
    CHECK(entry.log_id == log.log_id);
    CHECK((entry.kind == "hashedrekord" || entry.kind == "rekord" || entry.kind == "intoto"));
    CHECK(entry.version == "0.0.1");
    auto set = verify_signed_entry_timestamp(entry, log);
    CHECK(set.ok());
    if (set.ok()) ++verified;
  }
  CHECK(verified == 12);
}

TEST_CASE("a SET no longer verifies when the body, the time or the index is altered", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  for (const auto& name : kSetFixtures) {
    const auto dir = cosign_real_dir() / name;
    INFO(name);
    const auto log = log_from_pem(read_file(dir / "rekor.pub"));
    auto body = entry_of(dir);
    body.canonicalized_body = flip(body.canonicalized_body, 20);
    CHECK_FALSE(verify_signed_entry_timestamp(body, log).ok());
    auto time = entry_of(dir);
    time.integrated_time += 1;
    CHECK_FALSE(verify_signed_entry_timestamp(time, log).ok());
    auto index = entry_of(dir);
    index.log_index += 1;
    auto failed = verify_signed_entry_timestamp(index, log);
    REQUIRE_FALSE(failed.ok());
    CHECK_THAT(failed.error().message, Catch::Contains("signed entry timestamp of log entry"));
  }
}

TEST_CASE("a truncated SET and a SET checked against another log are refused", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  // Four characters cut from the front leave base64 that no longer decodes: refused with the field named.
  const auto dir = cosign_real_dir() / "neg-ratify-keyless-truncated-set";
  auto truncated = parse_cosign_rekor_bundle(read_file(dir / "bundle.json"));
  REQUIRE_FALSE(truncated.ok());
  CHECK_THAT(truncated.error().message, Catch::Contains("SignedEntryTimestamp"));

  const auto other = log_from_key(*PublicKey::from_pem(TestKey::ec("P-256").public_pem()), "https://other.test");
  auto wrong_log = verify_signed_entry_timestamp(entry_of(cosign_real_dir() / "keyless-connaisseur"), other);
  REQUIRE_FALSE(wrong_log.ok());
  CHECK_THAT(wrong_log.error().message, Catch::Contains("https://other.test"));
}

TEST_CASE("an entry without a SET is refused by the SET check", "[crypto][rekor]") {
  TlogEntry entry;
  const auto log = log_from_pem(TestKey::ec("P-256").public_pem());
  entry.log_id = log.log_id;
  auto result = verify_signed_entry_timestamp(entry, log);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::Contains("no signed entry timestamp"));
}

TEST_CASE("the body of every real cosign entry names its payload, signature and signer", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  int matched = 0;
  for (const auto& name : kSetFixtures) {
    const auto dir = cosign_real_dir() / name;
    if (!fs::exists(dir / "payload.json")) continue;
    INFO(name);
    auto checked = check_entry_body(entry_of(dir), artifact_of(dir));
    if (!checked) FAIL_CHECK(checked.error().message);
    if (checked) ++matched;
  }
  CHECK(matched == 9);
}

TEST_CASE("an entry body is refused for another payload, another signature or another key", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  const auto other_key = PublicKey::from_pem(TestKey::ec("P-256").public_pem())->der();
  for (const std::string name : {"keyless-connaisseur", "keyrekor-cimage-cosign", "keyrekor-sigstore-rs-busybox-rekord",
                                 "keyless-sigstore-rs-kubewarden-rekord-2021"}) {
    const auto dir = cosign_real_dir() / name;
    INFO(name);
    const auto entry = entry_of(dir);

    auto payload = artifact_of(dir);
    payload.artifact_sha256 = sha256_bytes(read_file(dir / "payload.json") + " ");
    auto wrong_payload = check_entry_body(entry, payload);
    REQUIRE_FALSE(wrong_payload.ok());
    CHECK_THAT(wrong_payload.error().message, Catch::Contains("spec.data.hash.value"));

    auto signature = artifact_of(dir);
    signature.signature = flip(signature.signature, 10);
    auto wrong_signature = check_entry_body(entry, signature);
    REQUIRE_FALSE(wrong_signature.ok());
    CHECK_THAT(wrong_signature.error().message, Catch::Contains("spec.signature.content"));

    auto key = artifact_of(dir);
    key.verifier_der = other_key;
    auto wrong_key = check_entry_body(entry, key);
    REQUIRE_FALSE(wrong_key.ok());
    CHECK_THAT(wrong_key.error().message, Catch::Contains("spec.signature.publicKey.content"));
  }
  // Another fixture's signature: a real signature, just not this entry's.
  const auto entry = entry_of(cosign_real_dir() / "keyless-connaisseur");
  auto swapped = artifact_of(cosign_real_dir() / "keyless-connaisseur");
  swapped.signature = artifact_of(cosign_real_dir() / "keyless-ratify-wabbitnetworks").signature;
  CHECK_FALSE(check_entry_body(entry, swapped).ok());
}

TEST_CASE("an intoto 0.0.1 entry names the envelope's payload and signer, and an edited payload is refused",
          "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  const auto good = cosign_real_dir() / "att-policy-controller-distroless-vuln-keyless";
  auto envelope = parse_dsse_envelope(read_file(good / "envelope.json"));
  REQUIRE(envelope.ok());
  const std::string cert = first_der(read_file(good / "cert.pem"));
  SignedArtifact artifact{"", "", *envelope, cert};
  CHECK(check_entry_body(entry_of(good), artifact).ok());

  // A message signature is not what an intoto entry logs.
  auto not_envelope = check_entry_body(entry_of(good), SignedArtifact{"x", "y", std::nullopt, cert});
  REQUIRE_FALSE(not_envelope.ok());
  CHECK_THAT(not_envelope.error().message, Catch::Contains("DSSE envelope"));

  const auto bad = cosign_real_dir() / "neg-policy-controller-distroless-predicate-rewritten";
  auto rewritten = parse_dsse_envelope(read_file(bad / "envelope.json"));
  REQUIRE(rewritten.ok());
  auto refused = check_entry_body(entry_of(bad), SignedArtifact{"", "", *rewritten, cert});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("spec.content.payloadHash.value"));
}

TEST_CASE("a Rekor bundle annotation that is malformed is refused naming the field", "[crypto][rekor]") {
  auto not_json = parse_cosign_rekor_bundle("{");
  REQUIRE_FALSE(not_json.ok());
  CHECK_THAT(not_json.error().message, Catch::Contains("not valid JSON"));
  auto no_payload = parse_cosign_rekor_bundle(R"({"SignedEntryTimestamp": "AAAA"})");
  REQUIRE_FALSE(no_payload.ok());
  CHECK_THAT(no_payload.error().message, Catch::Contains("Payload"));
  auto bad_id = parse_cosign_rekor_bundle(
      R"({"SignedEntryTimestamp": "AAAA", "Payload": {"body": "e30=", "integratedTime": 1, "logIndex": 2, "logID": "zz"}})");
  REQUIRE_FALSE(bad_id.ok());
  CHECK_THAT(bad_id.error().message, Catch::Contains("Payload.logID"));
  auto no_kind = parse_cosign_rekor_bundle(
      R"({"SignedEntryTimestamp": "AAAA", "Payload": {"body": "e30=", "integratedTime": 1, "logIndex": 2, "logID": "ab"}})");
  REQUIRE_FALSE(no_kind.ok());
  CHECK_THAT(no_kind.error().message, Catch::Contains("kind is missing"));
  auto negative = parse_cosign_rekor_bundle(
      R"({"SignedEntryTimestamp": "AAAA", "Payload": {"body": "e30=", "integratedTime": 1, "logIndex": -2, "logID": "ab"}})");
  REQUIRE_FALSE(negative.ok());
  CHECK_THAT(negative.error().message, Catch::Contains("logIndex is negative"));
}

// --- inclusion proofs -----------------------------------------------------------------------------

namespace {

struct V03Attestation {
  SigstoreBundle bundle;
  std::vector<TransparencyLog> logs;
};

V03Attestation v03_attestation() {
  const auto dir = cosign_real_dir() / "att-cosign-bundle-v03-keyless";
  auto bundle = parse_sigstore_bundle(read_file(dir / "sigstore-bundle.json"));
  REQUIRE(bundle.ok());
  return {*bundle, tlogs_of(read_file(dir / "trusted_root.json"))};
}

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("the v0.3 cosign attestation bundle's entry: SET, inclusion proof, checkpoint and body", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  const auto [bundle, logs] = v03_attestation();
  REQUIRE(bundle.tlog_entries.size() == 1);
  const auto& entry = bundle.tlog_entries[0];
  const auto* log = find_log(logs, entry.log_id);
  REQUIRE(log != nullptr);
  CHECK(verify_signed_entry_timestamp(entry, *log).ok());
  auto proof = verify_inclusion_proof(entry, *log);
  if (!proof) FAIL_CHECK(proof.error().message);
  auto body = check_entry_body(entry, SignedArtifact{"", "", bundle.dsse_envelope, bundle.certificates_der.at(0)});
  if (!body) FAIL_CHECK(body.error().message);
}

TEST_CASE("an inclusion proof with a corrupted hash, root, index or size is refused", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  const auto [bundle, logs] = v03_attestation();
  const auto* log = find_log(logs, bundle.tlog_entries[0].log_id);
  REQUIRE(log != nullptr);

  auto hash = bundle.tlog_entries[0];
  hash.inclusion_proof->hashes[3] = flip(hash.inclusion_proof->hashes[3], 0);
  auto corrupted = verify_inclusion_proof(hash, *log);
  REQUIRE_FALSE(corrupted.ok());
  CHECK_THAT(corrupted.error().message, Catch::Contains("lead to root"));

  auto index = bundle.tlog_entries[0];
  index.inclusion_proof->log_index += 1;
  CHECK_FALSE(verify_inclusion_proof(index, *log).ok());

  auto size = bundle.tlog_entries[0];
  size.inclusion_proof->tree_size += 1;
  CHECK_FALSE(verify_inclusion_proof(size, *log).ok());

  auto body = bundle.tlog_entries[0];
  body.canonicalized_body += " ";
  CHECK_FALSE(verify_inclusion_proof(body, *log).ok());

  auto missing_hash = bundle.tlog_entries[0];
  missing_hash.inclusion_proof->hashes.pop_back();
  CHECK_FALSE(verify_inclusion_proof(missing_hash, *log).ok());

  auto no_proof = bundle.tlog_entries[0];
  no_proof.inclusion_proof.reset();
  CHECK_FALSE(verify_inclusion_proof(no_proof, *log).ok());
}

TEST_CASE("a checkpoint with a bad key hint, a bad signature or another root is refused", "[crypto][rekor]") {
  if (!have_cosign_real()) return;
  const auto [bundle, logs] = v03_attestation();
  const auto& original = bundle.tlog_entries[0];
  const auto* log = find_log(logs, original.log_id);
  REQUIRE(log != nullptr);
  const std::string& note = original.inclusion_proof->checkpoint;
  const auto line = note.find("\xE2\x80\x94 ");
  REQUIRE(line != std::string::npos);
  const auto space = note.find(' ', note.find(' ', line) + 1);
  const auto end = note.find('\n', space);
  auto sig = base64_decode(note.substr(space + 1, end - space - 1));
  REQUIRE(sig.ok());

  auto with_signature = [&](const std::string& bytes) {
    auto entry = original;
    entry.inclusion_proof->checkpoint = note.substr(0, space + 1) + base64_encode(bytes) + note.substr(end);
    return entry;
  };
  auto hint = verify_inclusion_proof(with_signature(flip(*sig, 0)), *log);
  REQUIRE_FALSE(hint.ok());
  CHECK_THAT(hint.error().message, Catch::Contains("no signature by the log"));
  auto signature = verify_inclusion_proof(with_signature(flip(*sig, 10)), *log);
  REQUIRE_FALSE(signature.ok());
  CHECK_THAT(signature.error().message, Catch::Contains("checkpoint signature"));

  // A self-consistent note for another tree: its size or root differ from the proof's.
  auto other_size = original;
  other_size.inclusion_proof->checkpoint =
      replace_first(note, "\n" + std::to_string(original.inclusion_proof->tree_size) + "\n",
                    "\n" + std::to_string(original.inclusion_proof->tree_size + 1) + "\n");
  auto size_refused = verify_inclusion_proof(other_size, *log);
  REQUIRE_FALSE(size_refused.ok());
  CHECK_THAT(size_refused.error().message, Catch::Contains("tree of size"));

  auto no_checkpoint = original;
  no_checkpoint.inclusion_proof->checkpoint.clear();
  CHECK_FALSE(verify_inclusion_proof(no_checkpoint, *log).ok());
}

namespace {

// RFC 6962 §2.1: the tree head and audit paths by their recursive definitions, independent of the
// iterative verification under test.
std::string node_hash(const std::string& left, const std::string& right) {
  return sha256_bytes(std::string(1, '\x01') + left + right);
}

std::string tree_hash(const std::vector<std::string>& leaves, std::size_t begin, std::size_t end) {
  if (end - begin == 1) return leaves[begin];
  std::size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return node_hash(tree_hash(leaves, begin, begin + k), tree_hash(leaves, begin + k, end));
}

std::vector<std::string> audit_path(const std::vector<std::string>& leaves, std::size_t m, std::size_t begin,
                                    std::size_t end) {
  if (end - begin == 1) return {};
  std::size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  std::vector<std::string> path;
  if (m < k) {
    path = audit_path(leaves, m, begin, begin + k);
    path.push_back(tree_hash(leaves, begin + k, end));
  } else {
    path = audit_path(leaves, m - k, begin + k, end);
    path.push_back(tree_hash(leaves, begin, begin + k));
  }
  return path;
}

std::string signed_note(const std::string& origin, std::size_t size, const std::string& root, const std::string& name,
                        const std::string& hint, const std::string& signature_of_text) {
  return origin + "\n" + std::to_string(size) + "\n" + openssl_base64(root) + "\n\n\xE2\x80\x94 " + name + " " +
         openssl_base64(hint + signature_of_text) + "\n";
}

}  // namespace

TEST_CASE("inclusion proofs of every leaf of trees of 1 to 20 leaves verify and a wrong index does not",
          "[crypto][rekor]") {
  const TestKey key = TestKey::ec("P-256");
  const auto log = log_from_pem(key.public_pem());
  int verified = 0;
  for (std::size_t size = 1; size <= 20; ++size) {
    std::vector<std::string> bodies, leaves;
    for (std::size_t i = 0; i < size; ++i) {
      bodies.push_back("{\"entry\":" + std::to_string(i) + "}");
      leaves.push_back(sha256_bytes(std::string(1, '\0') + bodies.back()));
    }
    const std::string root = tree_hash(leaves, 0, size);
    const std::string text = "rekor.test - 1\n" + std::to_string(size) + "\n" + openssl_base64(root) + "\n";
    const std::string note =
        signed_note("rekor.test - 1", size, root, "rekor.test", log.log_id.substr(0, 4), key.sign(text, "SHA256"));
    for (std::size_t m = 0; m < size; ++m) {
      TlogEntry entry;
      entry.log_index = static_cast<std::int64_t>(1000 + m);
      entry.log_id = log.log_id;
      entry.canonicalized_body = bodies[m];
      entry.inclusion_proof = InclusionProof{m, root, size, audit_path(leaves, m, 0, size), note};
      INFO("leaf " << m << " of " << size);
      auto result = verify_inclusion_proof(entry, log);
      if (!result) FAIL_CHECK(result.error().message);
      if (result) ++verified;
      if (size > 1) {
        entry.inclusion_proof->log_index = (m + 1) % size;
        CHECK_FALSE(verify_inclusion_proof(entry, log).ok());
      }
      entry.inclusion_proof->log_index = size;  // outside the tree
      CHECK_FALSE(verify_inclusion_proof(entry, log).ok());
    }
  }
  CHECK(verified == 210);
}

TEST_CASE("an Ed25519 checkpoint is found by the C2SP key hint of the log's name, witness lines are ignored",
          "[crypto][rekor]") {
  const TestKey key = TestKey::ed25519();
  const std::string der = key.public_der();
  const std::string name = "log2025.rekor.test";
  const std::string c2sp_id = sha256_bytes(name + "\n\x01" + der.substr(der.size() - 32));
  const TransparencyLog log{"https://log2025.rekor.test", c2sp_id, *PublicKey::from_der(der),
                            ValidityPeriod{UnixTime{}, std::nullopt}};
  TlogEntry entry;
  entry.log_id = c2sp_id;
  entry.canonicalized_body = "{}";
  const std::string root = sha256_bytes(std::string(1, '\0') + "{}");
  const std::string text = name + "\n1\n" + openssl_base64(root) + "\n";
  const std::string log_line =
      "\xE2\x80\x94 " + name + " " + openssl_base64(c2sp_id.substr(0, 4) + key.sign(text, nullptr)) + "\n";
  const std::string witness_line =
      "\xE2\x80\x94 witness.test " + openssl_base64(std::string("\x01\x02\x03\x04", 4) + std::string(72, 'w')) + "\n";

  entry.inclusion_proof = InclusionProof{0, root, 1, {}, text + "\n" + witness_line + log_line};
  auto result = verify_inclusion_proof(entry, log);
  if (!result) FAIL_CHECK(result.error().message);

  // The same signature under another name: the hint no longer belongs to that name.
  const std::string renamed =
      "\xE2\x80\x94 log2025.rekor.github.test " + openssl_base64(c2sp_id.substr(0, 4) + key.sign(text, nullptr)) + "\n";
  entry.inclusion_proof->checkpoint = text + "\n" + renamed;
  CHECK_FALSE(verify_inclusion_proof(entry, log).ok());

  // Only the witness: no line of the log.
  entry.inclusion_proof->checkpoint = text + "\n" + witness_line;
  CHECK_FALSE(verify_inclusion_proof(entry, log).ok());
}

TEST_CASE("checkpoints missing their origin, size, root or signatures are refused", "[crypto][rekor]") {
  const TestKey key = TestKey::ec("P-256");
  const auto log = log_from_pem(key.public_pem());
  const std::string root = sha256_bytes(std::string(1, '\0') + "{}");
  auto entry_with = [&](const std::string& text, bool sign) {
    TlogEntry entry;
    entry.log_id = log.log_id;
    entry.canonicalized_body = "{}";
    std::string note = text + "\n";
    if (sign)
      note += "\xE2\x80\x94 rekor.test " + openssl_base64(log.log_id.substr(0, 4) + key.sign(text, "SHA256")) + "\n";
    entry.inclusion_proof = InclusionProof{0, root, 1, {}, note};
    return entry;
  };
  const std::string b64root = openssl_base64(root);
  CHECK(verify_inclusion_proof(entry_with("rekor.test - 1\n1\n" + b64root + "\n", true), log).ok());
  CHECK(verify_inclusion_proof(entry_with("rekor.test - 1\n1\n" + b64root + "\nTimestamp: 5\n", true), log).ok());
  CHECK_FALSE(verify_inclusion_proof(entry_with("1\n" + b64root + "\n", true), log).ok());
  CHECK_FALSE(verify_inclusion_proof(entry_with("rekor.test - 1\n" + b64root + "\n", true), log).ok());
  CHECK_FALSE(verify_inclusion_proof(entry_with("rekor.test - 1\n1\n", true), log).ok());
  auto unsigned_note = verify_inclusion_proof(entry_with("rekor.test - 1\n1\n" + b64root + "\n", false), log);
  REQUIRE_FALSE(unsigned_note.ok());
  CHECK_THAT(unsigned_note.error().message, Catch::Contains("checkpoint"));
}

// --- the mock sigstore services' bundles (fixture folder made at test time) ------------------------

namespace {

bool have_fixtures() {
  if (fs::exists(sigstore_fixtures_dir() / "rekor.pub")) return true;
  WARN("skipped: no sigstore fixtures under " << sigstore_fixtures_dir());
  return false;
}

SigstoreBundle fixture_bundle(const std::string& name) {
  auto bundle = parse_sigstore_bundle(read_file(sigstore_fixtures_dir() / name));
  INFO(name);
  if (!bundle) FAIL(bundle.error().message);
  return *bundle;
}

SignedArtifact artifact_of(const SigstoreBundle& bundle) {
  if (bundle.dsse_envelope) return SignedArtifact{"", "", bundle.dsse_envelope, bundle.certificates_der.at(0)};
  return SignedArtifact{sha256_bytes(read_file(sigstore_fixtures_dir() / "blob.txt")),
                        bundle.message_signature->signature, std::nullopt, bundle.certificates_der.at(0)};
}

}  // namespace

TEST_CASE("entries the mock Rekor logged for sigstore-js bundles verify: SET, proof, checkpoint, body",
          "[crypto][rekor][fixtures]") {
  if (!have_fixtures()) return;
  const auto log = log_from_pem(read_file(sigstore_fixtures_dir() / "rekor.pub"));
  for (const std::string name : {"blob.bundle.json", "blob-v02.bundle.json", "blob-tsa.bundle.json", "dsse.bundle.json",
                                 "dsse-intoto.bundle.json", "dsse-tsa.bundle.json"}) {
    INFO(name);
    const auto bundle = fixture_bundle(name);
    REQUIRE(bundle.tlog_entries.size() == 1);
    const auto& entry = bundle.tlog_entries[0];
    CHECK(verify_signed_entry_timestamp(entry, log).ok());
    auto proof = verify_inclusion_proof(entry, log);
    if (!proof) FAIL_CHECK(proof.error().message);
    auto body = check_entry_body(entry, artifact_of(bundle));
    if (!body) FAIL_CHECK(body.error().message);
  }
  CHECK(fixture_bundle("dsse-intoto.bundle.json").tlog_entries[0].kind == "intoto");
  CHECK(fixture_bundle("dsse.bundle.json").tlog_entries[0].kind == "dsse");
}

TEST_CASE("the mock's broken bundles fail the check their breakage targets", "[crypto][rekor][fixtures]") {
  if (!have_fixtures()) return;
  const auto log = log_from_pem(read_file(sigstore_fixtures_dir() / "rekor.pub"));
  const auto bad_set = fixture_bundle("bad-set.bundle.json");
  CHECK_FALSE(verify_signed_entry_timestamp(bad_set.tlog_entries[0], log).ok());
  CHECK(verify_inclusion_proof(bad_set.tlog_entries[0], log).ok());

  const auto bad_body = fixture_bundle("bad-body.bundle.json");
  CHECK_FALSE(verify_signed_entry_timestamp(bad_body.tlog_entries[0], log).ok());
  CHECK_FALSE(verify_inclusion_proof(bad_body.tlog_entries[0], log).ok());

  const auto bad_checkpoint = fixture_bundle("bad-checkpoint.bundle.json");
  CHECK(verify_signed_entry_timestamp(bad_checkpoint.tlog_entries[0], log).ok());
  auto checkpoint = verify_inclusion_proof(bad_checkpoint.tlog_entries[0], log);
  REQUIRE_FALSE(checkpoint.ok());
  CHECK_THAT(checkpoint.error().message, Catch::Contains("checkpoint"));

  // A signature not the logged one; a payload not the logged one.
  const auto bad_sig = fixture_bundle("bad-sig.bundle.json");
  CHECK_FALSE(check_entry_body(bad_sig.tlog_entries[0], artifact_of(bad_sig)).ok());
  const auto bad_payload = fixture_bundle("bad-payload.bundle.json");
  auto payload = check_entry_body(bad_payload.tlog_entries[0], artifact_of(bad_payload));
  REQUIRE_FALSE(payload.ok());
  CHECK_THAT(payload.error().message, Catch::Contains("payloadHash"));
}

TEST_CASE("cosign's keyless Rekor bundle annotation from the mock verifies and names its signature",
          "[crypto][rekor][fixtures]") {
  if (!have_fixtures()) return;
  const auto dir = sigstore_fixtures_dir() / "cosign";
  const auto log = log_from_pem(read_file(sigstore_fixtures_dir() / "rekor.pub"));
  auto entry = parse_cosign_rekor_bundle(read_file(dir / "rekor-bundle.json"));
  REQUIRE(entry.ok());
  CHECK(entry->kind == "hashedrekord");
  CHECK(verify_signed_entry_timestamp(*entry, log).ok());
  auto signature = base64_decode(read_file(dir / "signature"));
  REQUIRE(signature.ok());
  const SignedArtifact artifact{sha256_bytes(read_file(dir / "payload.json")), *signature, std::nullopt,
                                first_der(read_file(dir / "cert.pem"))};
  CHECK(check_entry_body(*entry, artifact).ok());
  auto other = artifact;
  other.verifier_der = first_der(read_file(sigstore_fixtures_dir() / "fulcio-chain.pem"));
  CHECK_FALSE(check_entry_body(*entry, other).ok());
}

// --- entry kinds without public vectors, built by hand from their schemas --------------------------

namespace {

TlogEntry entry_with_body(const std::string& body) {
  TlogEntry entry;
  entry.canonicalized_body = body;
  return entry;
}

}  // namespace

TEST_CASE("a Rekor v2 dsse 0.0.2 entry names the payload digest, the signatures and their verifier",
          "[crypto][rekor]") {
  const TestKey key = TestKey::ec("P-256");
  const std::string der = key.public_der();
  const DsseEnvelope envelope{"application/vnd.in-toto+json", "{\"_type\":\"x\"}", {{"", "sig-bytes"}}};
  auto body = [&](const std::string& digest, const std::string& signature, const std::string& verifier) {
    return R"({"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash":{"algorithm":"SHA2_256","digest":")" +
           openssl_base64(digest) + R"("},"signatures":[{"content":")" + openssl_base64(signature) +
           R"(","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":")" +
           openssl_base64(verifier) + R"("}}}]}}})";
  };
  const SignedArtifact artifact{"", "", envelope, der};
  const std::string payload_digest = sha256_bytes(envelope.payload);
  auto good = check_entry_body(entry_with_body(body(payload_digest, "sig-bytes", der)), artifact);
  if (!good) FAIL_CHECK(good.error().message);

  auto digest = check_entry_body(entry_with_body(body(sha256_bytes("other"), "sig-bytes", der)), artifact);
  REQUIRE_FALSE(digest.ok());
  CHECK_THAT(digest.error().message, Catch::Contains("spec.dsseV002.payloadHash.digest"));
  auto signature = check_entry_body(entry_with_body(body(payload_digest, "other-sig", der)), artifact);
  REQUIRE_FALSE(signature.ok());
  CHECK_THAT(signature.error().message, Catch::Contains("spec.dsseV002.signatures[0]"));
  auto verifier =
      check_entry_body(entry_with_body(body(payload_digest, "sig-bytes", TestKey::ec("P-256").public_der())), artifact);
  REQUIRE_FALSE(verifier.ok());
  CHECK_THAT(verifier.error().message, Catch::Contains("another key or certificate"));
}

TEST_CASE("a Rekor v2 hashedrekord 0.0.2 entry with a public key verifier", "[crypto][rekor]") {
  const std::string der = TestKey::ed25519().public_der();
  const std::string digest = sha256_bytes("artifact");
  const std::string body =
      R"({"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":")" +
      openssl_base64(digest) + R"("},"signature":{"content":")" + openssl_base64("signature") +
      R"(","verifier":{"keyDetails":"PKIX_ED25519","publicKey":{"rawBytes":")" + openssl_base64(der) + R"("}}}}}})";
  CHECK(check_entry_body(entry_with_body(body), SignedArtifact{digest, "signature", std::nullopt, der}).ok());
  auto other =
      check_entry_body(entry_with_body(body), SignedArtifact{sha256_bytes("x"), "signature", std::nullopt, der});
  REQUIRE_FALSE(other.ok());
  CHECK_THAT(other.error().message, Catch::Contains("spec.hashedRekordV002.data.digest"));
}

TEST_CASE("a rekord entry may carry the artifact itself, and only x509 signatures are read", "[crypto][rekor]") {
  const TestKey key = TestKey::ec("P-256");
  const std::string pem = key.public_pem();
  auto body = [&](const std::string& format) {
    return R"({"apiVersion":"0.0.1","kind":"rekord","spec":{"data":{"content":")" + openssl_base64("artifact") +
           R"("},"signature":{"content":")" + openssl_base64("signature") + R"(","format":")" + format +
           R"(","publicKey":{"content":")" + openssl_base64(pem) + R"("}}}})";
  };
  const SignedArtifact artifact{sha256_bytes("artifact"), "signature", std::nullopt, key.public_der()};
  CHECK(check_entry_body(entry_with_body(body("x509")), artifact).ok());
  auto pgp = check_entry_body(entry_with_body(body("pgp")), artifact);
  REQUIRE_FALSE(pgp.ok());
  CHECK_THAT(pgp.error().message, Catch::Contains("spec.signature.format"));
  auto other = artifact;
  other.artifact_sha256 = sha256_bytes("another");
  CHECK_FALSE(check_entry_body(entry_with_body(body("x509")), other).ok());
}

TEST_CASE("an entry of a kind signet does not read, or whose body contradicts its kind, is refused",
          "[crypto][rekor]") {
  const SignedArtifact artifact{"", "", std::nullopt, ""};
  auto unknown = check_entry_body(entry_with_body(R"({"apiVersion":"0.0.1","kind":"helm","spec":{}})"), artifact);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("helm 0.0.1") && Catch::Contains("does not read"));
  auto mismatch = entry_with_body(R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})");
  mismatch.kind = "dsse";
  mismatch.version = "0.0.1";
  auto refused = check_entry_body(mismatch, artifact);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("the log entry says dsse 0.0.1"));
  CHECK_FALSE(check_entry_body(entry_with_body("not json"), artifact).ok());
}
