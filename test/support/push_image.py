#!/usr/bin/python3
"""Make a tiny image (make_image.py) and push it to a registry with skopeo; print the digest it has there.

usage: push_image.py IMAGE [--text TEXT] [--ca DIR] [--creds USER:PASS]
  IMAGE         HOST:PORT/REPO:TAG, e.g. 127.0.0.1:5000/team/app:v1
  --text TEXT   the layer's content (default random); the same TEXT gives the same digest
  --ca DIR      a folder holding ca.crt (registry.py's DIR): HTTPS verified with that CA.
                Without --ca the registry is reached over plain HTTP (TLS verification off).
  --creds U:P   basic-auth credentials
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_image import make_image  # noqa: E402


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("image")
    parser.add_argument("--text", default=None)
    parser.add_argument("--ca")
    parser.add_argument("--creds")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="signet-push-")
    try:
        layout = os.path.join(work, "layout")
        make_image(layout, args.text if args.text is not None else os.urandom(16).hex())
        digest_file = os.path.join(work, "digest")
        command = ["skopeo", "--insecure-policy", "copy", "-q", "--digestfile", digest_file]
        if args.ca:
            command += ["--dest-cert-dir", args.ca]
        else:
            command += ["--dest-tls-verify=false"]
        if args.creds:
            command += ["--dest-creds", args.creds]
        command += ["oci:" + layout + ":latest", "docker://" + args.image]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            sys.exit("push_image.py: skopeo copy to %s failed" % args.image)
        with open(digest_file) as f:
            print(f.read().strip())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
