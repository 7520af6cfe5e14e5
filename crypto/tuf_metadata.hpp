// TUF metadata (The Update Framework, specification 1.0.x, as Sigstore's repository serves it): the root,
// timestamp, snapshot and targets roles, their signatures over the canonical JSON of `signed`, thresholds,
// expiry and the hashes and lengths one role gives for another's files. Pure checks, no I/O and no clock:
// crypto/tuf_updater.hpp runs the client workflow with them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/public_key.hpp"
#include "crypto/result.hpp"
#include "crypto/trusted_root.hpp"

namespace signet::crypto::tuf {

enum class Role { Root, Timestamp, Snapshot, Targets };
std::string_view to_string(Role role);  // "root", "timestamp", "snapshot", "targets"

// A key of the root's `keys`. Schemes signet verifies: ecdsa-sha2-nistp256/-nistp384 (PEM public key,
// keytype "ecdsa" or the scheme's own name), ed25519 (hex public key), rsassa-pss-sha256 (PEM). A key of
// another scheme is kept but never verifies: a root may list keys a newer client uses.
class Key {
 public:
  enum class Scheme { EcdsaSha256, EcdsaSha384, Ed25519, RsaPssSha256, Unsupported };

  static Result<Key> parse(std::string_view keytype, std::string_view scheme, std::string_view public_value);

  // Succeeds when `signature` (raw bytes) is this key's signature over `message`.
  Result<void> verify(std::string_view message, std::string_view signature) const;

  Scheme scheme() const { return scheme_; }
  const std::string& scheme_name() const { return scheme_name_; }
  // The DER SubjectPublicKeyInfo ("" for an unsupported scheme): one key listed under two ids counts once.
  std::string der() const { return key_ ? key_->der() : std::string(); }

 private:
  Key(Scheme scheme, std::string scheme_name, std::optional<PublicKey> key)
      : scheme_(scheme), scheme_name_(std::move(scheme_name)), key_(std::move(key)) {}

  Scheme scheme_;
  std::string scheme_name_;
  std::optional<PublicKey> key_;
};

struct RoleKeys {
  std::vector<std::string> keyids;
  std::uint64_t threshold = 1;
};

// A file one role vouches for: a metadata file in `meta` (timestamp, snapshot) or a target in `targets`.
// `hashes` maps an algorithm ("sha256", "sha512") to lowercase hex; metadata entries may omit both
// hashes and length, targets have both.
struct FileInfo {
  std::uint64_t version = 0;  // metadata files only
  std::optional<std::uint64_t> length;
  std::map<std::string, std::string> hashes;
};

struct Signature {
  std::string keyid;
  std::string sig;  // raw bytes (decoded from hex); empty ones are kept but never verify
};

// One metadata file. The fields of the other roles stay empty.
struct Metadata {
  Role role = Role::Root;
  std::uint64_t version = 0;
  std::string spec_version;
  UnixTime expires;
  std::string signed_bytes;  // the canonical JSON of `signed`: what the signatures are over
  std::vector<Signature> signatures;

  // root
  bool consistent_snapshot = false;
  std::map<std::string, Key> keys;
  std::map<Role, RoleKeys> roles;
  // timestamp ("snapshot.json") and snapshot ("targets.json", delegated roles)
  std::map<std::string, FileInfo> meta;
  // targets (top-level only: delegations are not followed)
  std::map<std::string, FileInfo> targets;

  // "timestamp version 7"
  std::string name() const;
};

// Parses a metadata file that must be of role `expected`: `signed` with `_type`, `spec_version` 1.x,
// `version` ≥ 1, `expires` ("YYYY-MM-DDTHH:MM:SSZ") and the role's own fields, and `signatures`.
// Errors name the role and the field.
Result<Metadata> parse_metadata(std::string_view json, Role expected);

// The canonical JSON TUF signs (securesystemslib's encode_canonical, OLPC's form): object keys sorted,
// no whitespace, only `"` and `\` escaped in strings, integers only. Duplicate keys are refused.
Result<std::string> canonical_json_olpc(std::string_view json);

// Succeeds when `metadata` carries valid signatures from at least the threshold of distinct keys that
// `root` gives its role `role` (one key listed under two ids counts once). The error names the metadata,
// the signers required and how many verified.
Result<void> check_signatures(const Metadata& root, Role role, const Metadata& metadata);

// Fails when `now` is at or past the metadata's expiry (a freeze attack, or a stale mirror).
Result<void> check_not_expired(const Metadata& metadata, UnixTime now);

// Succeeds when `content` has the length and every hash of `info` (hashes of an unknown algorithm fail).
// `what` names the file in the error ("snapshot.json as timestamp version 7 lists it").
Result<void> check_file(std::string_view content, const FileInfo& info, std::string_view what);

// "2026-06-22T13:27:01Z" → seconds since the epoch.
Result<UnixTime> parse_tuf_time(std::string_view text);
std::string format_tuf_time(UnixTime time);

}  // namespace signet::crypto::tuf
