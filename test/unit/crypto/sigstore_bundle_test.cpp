#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "crypto/encoding.hpp"
#include "crypto/pem.hpp"
#include "crypto/sigstore_bundle.hpp"
#include "rekor_test_support.hpp"

using namespace signet::crypto;
using namespace signet::test;
using signet::Error;
using signet::Result;
using signet::success;

namespace {

bool have_conformance() {
  if (fs::is_directory(conformance_dir())) return true;
  WARN("skipped: no sigstore-conformance vectors under " << conformance_dir());
  return false;
}

// The malformed bundles and the field their refusal must name.
const std::map<std::string, std::string> kMalformed = {
    {"bundle-malformed-json_fail", "not valid JSON"},
    {"bundle-unknown-version_fail", "mediaType"},
    {"bundle-negative-log-index_fail", "tlogEntries[0].logIndex is negative"},
    {"bundle-invalid-base64-signature_fail", "messageSignature.signature"},
    {"bundle-empty-certificate-chain_fail", "x509CertificateChain.certificates is empty"},
    // v0.2 and later bundles promise an inclusion proof on each entry.
    {"intoto-missing-inclusion-proof_fail", "tlogEntries[0].inclusionProof is missing"},
    {"rekor2-no-inclusion-proof_fail", "tlogEntries[0].inclusionProof is missing"},
};

std::string minimal_bundle(const std::string& media_type, const std::string& material, const std::string& entries,
                           const std::string& content) {
  return R"({"mediaType": ")" + media_type + R"(", "verificationMaterial": {)" + material + R"(, "tlogEntries": [)" +
         entries + "]}, " + content + "}";
}

const std::string kCert = R"("certificate": {"rawBytes": "MIIB"})";
const std::string kMessage =
    R"("messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "AAAA"}, "signature": "MEUC"})";
const std::string kEntryCore =
    R"("logIndex": "7", "logId": {"keyId": "wNI9"}, "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"}, "integratedTime": "1700000000", "canonicalizedBody": "e30=")";
const std::string kPromise = R"("inclusionPromise": {"signedEntryTimestamp": "MEUC"})";
const std::string kProof =
    R"("inclusionProof": {"rootHash": "AAAA", "treeSize": "1", "checkpoint": {"envelope": "o\n1\nAAAA\n\n"}})";

}  // namespace

TEST_CASE("every sigstore-conformance bundle parses, or is refused naming the malformed field", "[crypto][bundle]") {
  if (!have_conformance()) return;
  int parsed = 0;
  int refused = 0;
  for (const auto& dir : fs::directory_iterator(conformance_dir())) {
    if (!fs::exists(dir.path() / "bundle.sigstore.json")) continue;
    const std::string name = dir.path().filename().string();
    INFO(name);
    auto bundle = parse_sigstore_bundle(read_file(dir.path() / "bundle.sigstore.json"));
    if (const auto malformed = kMalformed.find(name); malformed != kMalformed.end()) {
      REQUIRE_FALSE(bundle.ok());
      CHECK_THAT(bundle.error().message, Catch::Contains(malformed->second));
      ++refused;
      continue;
    }
    if (!bundle) FAIL_CHECK(bundle.error().message);
    if (!bundle) continue;
    ++parsed;
    CHECK((bundle->message_signature.has_value() != bundle->dsse_envelope.has_value()));
    CHECK((bundle->certificates_der.empty() == bundle->public_key_hint.has_value()));
  }
  CHECK(refused == 7);
  CHECK(parsed == 63);
}

TEST_CASE("conformance bundles of each version carry what that version promises", "[crypto][bundle]") {
  if (!have_conformance()) return;
  auto v01 = parse_sigstore_bundle(read_file(conformance_dir() / "happy-path-v0.1" / "bundle.sigstore.json"));
  REQUIRE(v01.ok());
  CHECK(v01->certificates_der.size() >= 1);
  CHECK(v01->tlog_entries.at(0).signed_entry_timestamp.has_value());
  CHECK(v01->message_signature->digest_algorithm == "SHA2_256");
  CHECK(v01->message_signature->digest.size() == 32);

  auto v03 = parse_sigstore_bundle(read_file(conformance_dir() / "happy-path-v0.3" / "bundle.sigstore.json"));
  REQUIRE(v03.ok());
  REQUIRE(v03->certificates_der.size() == 1);
  const auto& entry = v03->tlog_entries.at(0);
  CHECK(entry.log_index == 79571823);
  CHECK(entry.integrated_time == 1710869186);
  CHECK(hex_encode(entry.log_id).substr(0, 8) == "c0d23d6a");
  CHECK(entry.kind == "hashedrekord");
  CHECK(entry.version == "0.0.1");
  REQUIRE(entry.inclusion_proof.has_value());
  CHECK(entry.inclusion_proof->log_index == 75408392);
  CHECK(entry.inclusion_proof->tree_size == 75408393);
  CHECK(entry.inclusion_proof->hashes.size() == 11);
  CHECK(entry.inclusion_proof->checkpoint.rfind("rekor.sigstore.dev - 2605736670972794746\n", 0) == 0);
  CHECK(entry.canonicalized_body.rfind("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\"", 0) == 0);

  auto key = parse_sigstore_bundle(read_file(conformance_dir() / "managed-key-happy-path" / "bundle.sigstore.json"));
  REQUIRE(key.ok());
  CHECK(key->certificates_der.empty());
  CHECK(key->public_key_hint.has_value());
  CHECK_FALSE(key->rfc3161_timestamps.empty());

  auto dsse =
      parse_sigstore_bundle(read_file(conformance_dir() / "happy-path-intoto-in-dsse-v3" / "bundle.sigstore.json"));
  REQUIRE(dsse.ok());
  REQUIRE(dsse->dsse_envelope.has_value());
  CHECK(dsse->dsse_envelope->payload_type == "application/vnd.in-toto+json");
  CHECK(dsse->dsse_envelope->payload.rfind("{", 0) == 0);
  CHECK(dsse->dsse_envelope->signatures.size() == 1);
}

namespace {

// Every check of an entry this part of signet makes: the SET when there is one, the inclusion proof
// and checkpoint when there is one, and the body against the bundle's content and signer.
Result<void> check_entries(const fs::path& dir, const SigstoreBundle& bundle,
                           const std::vector<TransparencyLog>& public_good) {
  const auto logs =
      fs::exists(dir / "trusted_root.json") ? tlogs_of(read_file(dir / "trusted_root.json")) : public_good;
  const fs::path artifact_path = fs::exists(dir / "artifact") ? dir / "artifact" : dir.parent_path() / "a.txt";
  std::string verifier;
  if (!bundle.certificates_der.empty()) {
    verifier = bundle.certificates_der[0];
  } else if (fs::exists(dir / "key.pub")) {
    auto key = PublicKey::from_pem(read_file(dir / "key.pub"));
    if (!key) return key.error();
    verifier = key->der();
  }
  for (const auto& entry : bundle.tlog_entries) {
    const auto* log = find_log(logs, entry.log_id);
    if (log == nullptr) return Error::invalid("no trusted log " + hex_encode(entry.log_id));
    if (entry.signed_entry_timestamp) {
      auto set = verify_signed_entry_timestamp(entry, *log);
      if (!set) return set;
    }
    if (entry.inclusion_proof) {
      auto proof = verify_inclusion_proof(entry, *log);
      if (!proof) return proof;
    }
    SignedArtifact artifact{"", "", bundle.dsse_envelope, verifier};
    if (bundle.message_signature) {
      artifact.artifact_sha256 = sha256_bytes(read_file(artifact_path));
      artifact.signature = bundle.message_signature->signature;
    }
    auto body = check_entry_body(entry, artifact);
    if (!body) return body;
  }
  return success();
}

}  // namespace

TEST_CASE("conformance bundles whose log evidence is bad fail the entry checks and the others pass them",
          "[crypto][bundle][rekor]") {
  if (!have_conformance()) return;
  const auto trust = cosign_real_dir() / "_trust" / "trusted_root_public_good.json";
  if (!fs::exists(trust)) {
    WARN("skipped: no public-good trusted root under " << trust);
    return;
  }
  const auto public_good = tlogs_of(read_file(trust));
  // What the cases say is wrong with them, where that is something the entry checks see.
  const std::set<std::string> kBadEvidence = {
      "bundle-from-wrong-instance_fail",  // staging's log is not in the production root
      "checkpoint-bad-keyhint_fail",
      "checkpoint-wrong-roothash_fail",
      "dsse-mismatch-envelope_fail",
      "dsse-mismatch-sig_fail",
      "inclusion-proof-corrupted-hash_fail",
      "intoto-log-entry-mismatch_fail",
      "invalid-checkpoint-signature_fail",
      "invalid-inclusion-proof_fail",
      "rekor2-checkpoint-missing-log-signature_fail",
      "rekor2-checkpoint-missing-origin_fail",
      "rekor2-checkpoint-missing-root-hash_fail",
      "rekor2-checkpoint-missing-size_fail",
      "rekor2-checkpoint-no-matching-signature_fail",
      "rekor2-dsse-mismatch-envelope_fail",
      "rekor2-dsse-mismatch-sig_fail",
      "set-invalid-signature_fail",
      "wrong-hashedrekord-artifact_fail",
      "wrong-hashedrekord-cert-and-sig_fail",
      "wrong-hashedrekord-entry_fail",
      "managed-key-no-key_fail",       // no key given: the entry's key is not the (absent) signer's
      "managed-key-wrong-key_fail",    // the key given does not even parse
      "rekor2-dsse-invalid-sig_fail",  // the envelope's signature is not the logged one
      "dsse-invalid-sig_fail",         // likewise
      "wrong-material_fail",           // the entry logs another artifact
      "bundle-with-root-cert_fail",    // its inclusion proof has no checkpoint
      "signature-mismatch_fail",
      "incorrect-public-key_fail",
  };
  int passed = 0;
  int failed = 0;
  for (const auto& dir : fs::directory_iterator(conformance_dir())) {
    const std::string name = dir.path().filename().string();
    if (!fs::exists(dir.path() / "bundle.sigstore.json") || kMalformed.count(name) != 0) continue;
    INFO(name);
    auto bundle = parse_sigstore_bundle(read_file(dir.path() / "bundle.sigstore.json"));
    REQUIRE(bundle.ok());
    auto checked = check_entries(dir.path(), *bundle, public_good);
    if (kBadEvidence.count(name) != 0) {
      CHECK_FALSE(checked.ok());
      ++failed;
    } else {
      if (!checked) FAIL_CHECK(checked.error().message);
      ++passed;
    }
  }
  CHECK(failed == static_cast<int>(kBadEvidence.size()));
  CHECK(passed == 63 - failed);
}

TEST_CASE("the bundle media types signet reads, and versions it refuses", "[crypto][bundle]") {
  const std::string v1_entry = "{" + kEntryCore + ", " + kPromise + "}";
  const std::string v2_entry = "{" + kEntryCore + ", " + kProof + "}";
  CHECK(parse_sigstore_bundle(
            minimal_bundle("application/vnd.dev.sigstore.bundle+json;version=0.1", kCert, v1_entry, kMessage))
            .ok());
  CHECK(parse_sigstore_bundle(
            minimal_bundle("application/vnd.dev.sigstore.bundle+json;version=0.2", kCert, v2_entry, kMessage))
            .ok());
  CHECK(parse_sigstore_bundle(
            minimal_bundle("application/vnd.dev.sigstore.bundle+json;version=0.3", kCert, v2_entry, kMessage))
            .ok());
  CHECK(
      parse_sigstore_bundle(minimal_bundle("application/vnd.dev.sigstore.bundle.v0.3+json", kCert, v2_entry, kMessage))
          .ok());
  for (const std::string unknown : {"application/vnd.dev.sigstore.bundle+json;version=0.4",
                                    "application/vnd.dev.sigstore.bundle.v0.4+json", "application/json", ""}) {
    auto refused = parse_sigstore_bundle(minimal_bundle(unknown, kCert, v2_entry, kMessage));
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("mediaType"));
  }
}

TEST_CASE("v0.1 bundles need an inclusion promise on each entry, later ones an inclusion proof", "[crypto][bundle]") {
  const std::string promise_only = "{" + kEntryCore + ", " + kPromise + "}";
  const std::string proof_only = "{" + kEntryCore + ", " + kProof + "}";
  auto v01 = parse_sigstore_bundle(
      minimal_bundle("application/vnd.dev.sigstore.bundle+json;version=0.1", kCert, proof_only, kMessage));
  REQUIRE_FALSE(v01.ok());
  CHECK_THAT(v01.error().message, Catch::Contains("tlogEntries[0].inclusionPromise is missing"));
  auto v02 = parse_sigstore_bundle(
      minimal_bundle("application/vnd.dev.sigstore.bundle+json;version=0.2", kCert, promise_only, kMessage));
  REQUIRE_FALSE(v02.ok());
  CHECK_THAT(v02.error().message, Catch::Contains("tlogEntries[0].inclusionProof is missing"));
  // No entries at all is a shape the verifier judges (a timestamp may stand in), not the parser.
  CHECK(
      parse_sigstore_bundle(minimal_bundle("application/vnd.dev.sigstore.bundle.v0.3+json", kCert, "", kMessage)).ok());
}

TEST_CASE("protobuf JSON numbers: int64 as strings or numbers, an absent proof index is 0", "[crypto][bundle]") {
  const std::string entry =
      R"({"logIndex": 12, "logId": {"keyId": "wNI9"}, "kindVersion": {"kind": "dsse", "version": "0.0.1"}, "canonicalizedBody": "e30=", )" +
      kProof + "}";
  auto bundle =
      parse_sigstore_bundle(minimal_bundle("application/vnd.dev.sigstore.bundle.v0.3+json", kCert, entry, kMessage));
  REQUIRE(bundle.ok());
  CHECK(bundle->tlog_entries[0].log_index == 12);
  CHECK(bundle->tlog_entries[0].integrated_time == 0);
  CHECK(bundle->tlog_entries[0].inclusion_proof->log_index == 0);
  CHECK(bundle->tlog_entries[0].inclusion_proof->tree_size == 1);
  CHECK(bundle->tlog_entries[0].inclusion_proof->checkpoint == "o\n1\nAAAA\n\n");

  const std::string bad_number =
      "{" + kEntryCore + R"(, "inclusionProof": {"logIndex": "x1", "rootHash": "AAAA", "treeSize": "1"}})";
  auto refused = parse_sigstore_bundle(
      minimal_bundle("application/vnd.dev.sigstore.bundle.v0.3+json", kCert, bad_number, kMessage));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("inclusionProof.logIndex is not a 64-bit integer"));
  const std::string negative =
      "{" + kEntryCore + R"(, "inclusionProof": {"logIndex": "-3", "rootHash": "AAAA", "treeSize": "1"}})";
  auto negative_refused =
      parse_sigstore_bundle(minimal_bundle("application/vnd.dev.sigstore.bundle.v0.3+json", kCert, negative, kMessage));
  REQUIRE_FALSE(negative_refused.ok());
  CHECK_THAT(negative_refused.error().message, Catch::Contains("inclusionProof.logIndex is negative"));
}

TEST_CASE("exactly one verification material and one content", "[crypto][bundle]") {
  const std::string media = "application/vnd.dev.sigstore.bundle.v0.3+json";
  const std::string envelope =
      R"("dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "MEUC", "keyid": ""}]})";
  auto both_contents = parse_sigstore_bundle(minimal_bundle(media, kCert, "", kMessage + ", " + envelope));
  REQUIRE_FALSE(both_contents.ok());
  CHECK_THAT(both_contents.error().message, Catch::Contains("exactly one of messageSignature and dsseEnvelope"));
  auto no_content = parse_sigstore_bundle(
      R"({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {"certificate": {"rawBytes": "MIIB"}}})");
  REQUIRE_FALSE(no_content.ok());
  CHECK_THAT(no_content.error().message, Catch::Contains("messageSignature"));
  auto two_materials =
      parse_sigstore_bundle(minimal_bundle(media, kCert + R"(, "publicKey": {"hint": "k"})", "", kMessage));
  REQUIRE_FALSE(two_materials.ok());
  CHECK_THAT(two_materials.error().message, Catch::Contains("exactly one of publicKey"));
  auto chain_in_v03 = parse_sigstore_bundle(
      minimal_bundle(media, R"("x509CertificateChain": {"certificates": [{"rawBytes": "MIIB"}]})", "", kMessage));
  REQUIRE_FALSE(chain_in_v03.ok());
  CHECK_THAT(chain_in_v03.error().message, Catch::Contains("x509CertificateChain is not allowed"));

  auto dsse = parse_sigstore_bundle(minimal_bundle(media, R"("publicKey": {"hint": "abc"})", "", envelope));
  REQUIRE(dsse.ok());
  CHECK(*dsse->public_key_hint == "abc");
  CHECK(dsse->dsse_envelope->payload == "{}");
  auto no_sigs = parse_sigstore_bundle(
      minimal_bundle(media, kCert, "", R"("dsseEnvelope": {"payload": "e30=", "payloadType": "t", "signatures": []})"));
  REQUIRE_FALSE(no_sigs.ok());
  CHECK_THAT(no_sigs.error().message, Catch::Contains("dsseEnvelope.signatures"));
}

TEST_CASE("every bundle of the mock sigstore services parses with its material", "[crypto][bundle][fixtures]") {
  if (!fs::exists(sigstore_fixtures_dir() / "blob.bundle.json")) {
    WARN("skipped: no sigstore fixtures under " << sigstore_fixtures_dir());
    return;
  }
  int parsed = 0;
  for (const auto& file : fs::directory_iterator(sigstore_fixtures_dir())) {
    const std::string name = file.path().filename().string();
    if (name.size() < 12 || name.substr(name.size() - 12) != ".bundle.json") continue;
    INFO(name);
    auto bundle = parse_sigstore_bundle(read_file(file.path()));
    if (!bundle) FAIL_CHECK(bundle.error().message);
    if (bundle) ++parsed;
  }
  CHECK(parsed >= 14);
  auto v02 = parse_sigstore_bundle(read_file(sigstore_fixtures_dir() / "blob-v02.bundle.json"));
  REQUIRE(v02.ok());
  CHECK(v02->media_type == "application/vnd.dev.sigstore.bundle+json;version=0.2");
  CHECK(v02->certificates_der.size() == 1);
  auto tsa = parse_sigstore_bundle(read_file(sigstore_fixtures_dir() / "blob-notlog-tsa.bundle.json"));
  REQUIRE(tsa.ok());
  CHECK(tsa->tlog_entries.empty());
  CHECK(tsa->rfc3161_timestamps.size() == 1);
}
