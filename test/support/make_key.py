#!/usr/bin/python3
"""Make a signing key pair with the openssl CLI.

usage: make_key.py PREFIX [--alg p256|p384|ed25519|rsa]
Writes PREFIX.pem (the private key, unencrypted PKCS#8 PEM) and PREFIX.pub (the public key, PEM), the
form cosign_sign.py signs with and a policy's publicKeys holds. Default algorithm: p256.
"""
import argparse
import subprocess
import sys

GENERATE = {
    "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    "ed25519": ["-algorithm", "ED25519"],
    "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
}


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("prefix")
    parser.add_argument("--alg", choices=sorted(GENERATE), default="p256")
    args = parser.parse_args()
    private = subprocess.run(["openssl", "genpkey", *GENERATE[args.alg]], check=True, capture_output=True).stdout
    public = subprocess.run(["openssl", "pkey", "-pubout"], input=private, check=True, capture_output=True).stdout
    with open(args.prefix + ".pem", "wb") as f:
        f.write(private)
    with open(args.prefix + ".pub", "wb") as f:
        f.write(public)


if __name__ == "__main__":
    sys.exit(main())
