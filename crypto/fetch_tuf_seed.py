#!/usr/bin/env python3
"""Fetch the TUF seed (seeds.json) of the npm package @sigstore/tuf, which holds Sigstore's public-good
trusted root, at the version and integrity that test/support/sigstore/package-lock.json pins.

usage: fetch_tuf_seed.py PACKAGE-LOCK.json OUT_DIR

Only the package's tarball is fetched (`npm pack`: any npm, Debian 12's included; nothing is installed and
no Node.js 20 is needed), its sha512 checked against the lock's integrity, and package/seeds.json written
to OUT_DIR/seeds.json. A seeds.json already there from the same tarball is kept, so a build fetches once.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@sigstore/tuf"


def fail(message):
    sys.exit(f"fetch_tuf_seed.py: {message}")


def main():
    if len(sys.argv) != 3:
        fail("usage: fetch_tuf_seed.py PACKAGE-LOCK.json OUT_DIR")
    lock_path, out_dir = sys.argv[1:]
    with open(lock_path) as f:
        entry = json.load(f).get("packages", {}).get("node_modules/" + PACKAGE)
    if not entry or "version" not in entry or not entry.get("integrity", "").startswith("sha512-"):
        fail(f"{lock_path} pins no version and sha512 integrity for {PACKAGE}")
    version, integrity = entry["version"], entry["integrity"]
    out = os.path.join(out_dir, "seeds.json")
    stamp = os.path.join(out_dir, "seeds.integrity")
    if os.path.exists(out) and os.path.exists(stamp) and open(stamp).read() == integrity:
        return
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        try:
            packed = subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--pack-destination", work, "--silent"],
                                    capture_output=True, text=True, cwd=work, timeout=300)
        except FileNotFoundError:
            fail("npm is missing: run scripts/install-deps (it installs Debian's npm)")
        if packed.returncode != 0:
            fail(f"npm pack {PACKAGE}@{version} failed: {packed.stderr.strip()}")
        tarballs = [name for name in os.listdir(work) if name.endswith(".tgz")]
        if len(tarballs) != 1:
            fail(f"npm pack {PACKAGE}@{version} left no tarball")
        tarball = os.path.join(work, tarballs[0])
        with open(tarball, "rb") as f:
            digest = "sha512-" + base64.b64encode(hashlib.sha512(f.read()).digest()).decode()
        if digest != integrity:
            fail(f"{PACKAGE}@{version}: the tarball's integrity {digest} is not the lock's {integrity}")
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/seeds.json")
            if member is None:
                fail(f"{PACKAGE}@{version} holds no seeds.json")
            seeds = member.read()
    with open(out + ".tmp", "wb") as f:
        f.write(seeds)
    os.replace(out + ".tmp", out)
    with open(stamp, "w") as f:
        f.write(integrity)


if __name__ == "__main__":
    main()
