#!/usr/bin/python3
"""Write TUF repositories (specification 1.0) signed with securesystemslib (Debian's
python3-securesystemslib), so that signet's TUF client is checked against metadata it did not make.

usage: tuf_repo.py OUTDIR [--target FILE]

Every scenario is a mirror folder under OUTDIR, laid out as a TUF mirror serves it (N.root.json,
timestamp.json, N.snapshot.json, N.targets.json, targets/<sha256>.trusted_root.json):

  happy              root 1 → 2 → 3 (root keys rotated twice, ECDSA, Ed25519 and RSA-PSS keys), then
                     timestamp, snapshot and targets version 1 and the target
  plain              consistent_snapshot false: snapshot.json, targets.json, targets/trusted_root.json
  below_threshold    2.root.json signed by 1 of the 2 keys root 1 requires
  not_self_signed    2.root.json signed by root 1's keys but by only 1 of its own 2
  version_skip       2.root.json holds version 3
  expired_root       the last root (3) expired
  expired_timestamp  the timestamp expired
  rollback_new       timestamp, snapshot and targets version 2
  rollback_timestamp timestamp version 1 (older than rollback_new's)
  rollback_snapshot  timestamp version 3 naming snapshot version 1 (older than rollback_new's)
  snapshot_drops     timestamp and snapshot version 3, the snapshot lists targets.json version 1
  target_hash        the target file differs from the hashes targets lists
  target_long        the target file is longer than the length targets lists
  targets_tampered   targets.json changed (same length) after the snapshot hashed it
  garbage            timestamp.json is not JSON

Each folder has 1.root.json, the client's initial root. Nothing here shares code with signet.
"""
import argparse
import copy
import hashlib
import json
import os
import sys

from securesystemslib import formats, keys

FUTURE = "2100-01-01T00:00:00Z"
PAST = "2021-01-01T00:00:00Z"
SPEC = "1.0.31"


def public(key):
    meta = keys.format_keyval_to_metadata(key["keytype"], key["scheme"], key["keyval"], private=False)
    return meta


def sign(signed, signers):
    data = formats.encode_canonical(signed).encode("utf-8")
    return {"signed": signed, "signatures": [keys.create_signature(k, data) for k in signers]}


def dump(metadata):
    return json.dumps(metadata, indent=1, sort_keys=False).encode("utf-8")


def file_info(content, version=None):
    info = {"length": len(content), "hashes": {"sha256": hashlib.sha256(content).hexdigest(),
                                               "sha512": hashlib.sha512(content).hexdigest()}}
    if version is not None:
        info["version"] = version
    return info


class Keys:
    def __init__(self):
        self.r1 = keys.generate_ecdsa_key()
        self.r2 = keys.generate_ed25519_key()
        self.r3 = keys.generate_ecdsa_key()
        self.r4 = keys.generate_ed25519_key()
        self.timestamp = keys.generate_ed25519_key()
        self.timestamp2 = keys.generate_ecdsa_key()
        self.snapshot = keys.generate_ecdsa_key()
        self.targets = keys.generate_rsa_key(bits=2048, scheme="rsassa-pss-sha256")


def root_signed(version, root_keys, timestamp_key, k, consistent=True, expires=FUTURE):
    all_keys = list(root_keys) + [timestamp_key, k.snapshot, k.targets]
    return {
        "_type": "root",
        "spec_version": SPEC,
        "version": version,
        "expires": expires,
        "consistent_snapshot": consistent,
        "keys": {key["keyid"]: public(key) for key in all_keys},
        "roles": {
            "root": {"keyids": [key["keyid"] for key in root_keys], "threshold": 2},
            "timestamp": {"keyids": [timestamp_key["keyid"]], "threshold": 1},
            "snapshot": {"keyids": [k.snapshot["keyid"]], "threshold": 1},
            "targets": {"keyids": [k.targets["keyid"]], "threshold": 1},
        },
    }


class Mirror:
    def __init__(self, outdir, name):
        self.dir = os.path.join(outdir, name)
        os.makedirs(os.path.join(self.dir, "targets"), exist_ok=True)

    def write(self, path, content):
        with open(os.path.join(self.dir, path), "wb") as f:
            f.write(content)


def write_roots(mirror, k, last_expires=FUTURE, consistent=True, tweak=None):
    """Roots 1, 2 and 3; `tweak(version, signed, signers)` may change a root before it is signed."""
    r1 = root_signed(1, [k.r1, k.r2], k.timestamp, k, consistent)
    r2 = root_signed(2, [k.r2, k.r3], k.timestamp2, k, consistent)
    r3 = root_signed(3, [k.r3, k.r4], k.timestamp2, k, consistent, last_expires)
    plan = [(1, r1, [k.r1, k.r2]), (2, r2, [k.r1, k.r2, k.r3]), (3, r3, [k.r2, k.r3, k.r4])]
    for version, signed, signers in plan:
        if tweak:
            signed, signers = tweak(version, signed, signers)
        mirror.write(f"{version}.root.json", dump(sign(signed, signers)))


def write_top(mirror, k, target, version=1, snapshot_version=None, targets_version=None, consistent=True,
              timestamp_expires=FUTURE, served_target=None, tamper_targets=False):
    snapshot_version = snapshot_version or version
    targets_version = targets_version or version
    targets = dump(sign({"_type": "targets", "spec_version": SPEC, "version": targets_version, "expires": FUTURE,
                         "targets": {"trusted_root.json": file_info(target)}}, [k.targets]))
    snapshot = dump(sign({"_type": "snapshot", "spec_version": SPEC, "version": snapshot_version,
                          "expires": FUTURE, "meta": {"targets.json": file_info(targets, targets_version)}},
                         [k.snapshot]))
    timestamp = dump(sign({"_type": "timestamp", "spec_version": SPEC, "version": version,
                           "expires": timestamp_expires,
                           "meta": {"snapshot.json": file_info(snapshot, snapshot_version)}}, [k.timestamp2]))
    if tamper_targets:  # same length, one hex digit of the target's sha512 changed
        digest = hashlib.sha512(target).hexdigest()
        changed = ("0" if digest[0] != "0" else "1") + digest[1:]
        targets = targets.replace(digest.encode(), changed.encode())
    served = target if served_target is None else served_target
    mirror.write("timestamp.json", timestamp)
    if consistent:
        mirror.write(f"{snapshot_version}.snapshot.json", snapshot)
        mirror.write(f"{targets_version}.targets.json", targets)
        mirror.write(f"targets/{hashlib.sha256(target).hexdigest()}.trusted_root.json", served)
    else:
        mirror.write("snapshot.json", snapshot)
        mirror.write("targets.json", targets)
        mirror.write("targets/trusted_root.json", served)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--target", help="the trusted_root.json to serve (default: a small JSON document)")
    args = parser.parse_args()
    if args.target:
        with open(args.target, "rb") as f:
            target = f.read()
    else:
        target = b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": []}\n'
    k = Keys()

    def scenario(name, roots=None, **top):
        mirror = Mirror(args.outdir, name)
        write_roots(mirror, k, **(roots or {}))
        write_top(mirror, k, target, consistent=(roots or {}).get("consistent", True), **top)
        return mirror

    scenario("happy")
    scenario("plain", roots={"consistent": False})

    def below_threshold(version, signed, signers):
        return signed, ([k.r1, k.r3] if version == 2 else signers)

    def not_self_signed(version, signed, signers):
        return signed, ([k.r1, k.r2] if version == 2 else signers)

    def version_skip(version, signed, signers):
        if version == 2:
            signed = copy.deepcopy(signed)
            signed["version"] = 3
        return signed, signers

    scenario("below_threshold", roots={"tweak": below_threshold})
    scenario("not_self_signed", roots={"tweak": not_self_signed})
    scenario("version_skip", roots={"tweak": version_skip})
    scenario("expired_root", roots={"last_expires": PAST})
    scenario("expired_timestamp", timestamp_expires=PAST)
    scenario("rollback_new", version=2)
    scenario("rollback_timestamp", version=1)
    scenario("rollback_snapshot", version=3, snapshot_version=1, targets_version=1)
    scenario("snapshot_drops", version=3, snapshot_version=3, targets_version=1)
    scenario("target_hash", served_target=bytes(b ^ 1 for b in target[:1]) + target[1:])
    scenario("target_long", served_target=target + b" ")
    scenario("targets_tampered", tamper_targets=True)
    garbage = scenario("garbage")
    garbage.write("timestamp.json", b"<html><body>503 Service Unavailable</body></html>")
    with open(os.path.join(args.outdir, "target.json"), "wb") as f:
        f.write(target)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.exit(f"tuf_repo.py: {e}")
