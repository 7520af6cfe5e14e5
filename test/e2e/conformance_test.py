#!/usr/bin/python3
"""signet against public judges: every bundle-verify case of sigstore-conformance through
`signet verify-bundle` (as that suite runs a client: with the artifact's path and with its digest), and
the real cosign signatures of cosign-real through `signet verify-signature`, offline with the public-good
trusted root. Prints the counts; fails on any wrong verdict not listed, with its reason, in EXPECTED_WRONG.
Skips, saying so, when the vectors folder is absent.

usage: conformance_test.py SIGNET_BINARY VECTORS_DIR
"""
import base64, hashlib, json, os, re, subprocess, sys, tempfile

# sigstore-conformance's defaults (test/assets/bundle-verify/README.md).
DEFAULT_IDENTITY = ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
                    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main")
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"

# Cases whose verdict signet legitimately differs on, each with why. Keep it as small as the code allows.
EXPECTED_WRONG = {
    # cosign (pkg/cosign/verify.go, verifyOCIAttestation) refuses an envelope whose payloadType is not
    # application/vnd.in-toto+json, and so does signet's admission path; these 2021 envelopes predate that.
    "cosign-real/att-kyverno-key-0": "payloadType https://example.com/CodeReview/v1 is not in-toto, as cosign now requires",
    "cosign-real/att-kyverno-key-1": "payloadType cosign.sigstore.dev/attestation/v1 is not in-toto, as cosign now requires",
    "cosign-real/att-kyverno-key-2": "payloadType https://example.com/CodeReview/v1 is not in-toto, as cosign now requires",
}


class Tally:
    def __init__(self):
        self.passed = self.failed = self.listed = 0
        self.wrong = []
        self.not_run = []

    def record(self, name, expect_ok, ok, output):
        if ok == expect_ok:
            if name in EXPECTED_WRONG:
                self.wrong.append(f"{name}: listed in EXPECTED_WRONG but now right; remove it")
            elif ok:
                self.passed += 1
            else:
                self.failed += 1
        elif name in EXPECTED_WRONG:
            self.listed += 1
        else:
            self.wrong.append(f"{name}: expected {'verified' if expect_ok else 'refused'}, got: {output}")

    def report(self, what):
        print(f"{what}: {self.passed} passed as expected, {self.failed} failed as expected, "
              f"{self.listed} expected mismatches, {len(self.wrong)} wrong, {len(self.not_run)} not run")
        for line in self.not_run:
            print("  not run: " + line)
        for line in self.wrong:
            print("  WRONG " + line)


def run(signet, args):
    out = subprocess.run([signet, *args], capture_output=True, text=True)
    text = (out.stdout + out.stderr).strip()
    if out.returncode not in (0, 1):
        return False, f"exit {out.returncode}: {text}"
    return out.returncode == 0, text


def conformance(signet, vectors, tally):
    cases = os.path.join(vectors, "sigstore-conformance", "test", "assets", "bundle-verify")
    for case in sorted(os.listdir(cases)):
        folder = os.path.join(cases, case)
        if not os.path.isdir(folder):
            continue
        expect_ok = not case.endswith("_fail")
        artifact = os.path.join(folder, "artifact")
        if not os.path.exists(artifact):
            artifact = os.path.join(cases, "a.txt")
        args = ["verify-bundle", "--bundle", os.path.join(folder, "bundle.sigstore.json")]
        if os.path.exists(os.path.join(folder, "key.pub")):
            args += ["--key", os.path.join(folder, "key.pub")]
        else:
            def read(name, default):
                path = os.path.join(folder, name)
                return open(path).read().strip() if os.path.exists(path) else default
            args += ["--certificate-identity", read("identity", DEFAULT_IDENTITY),
                     "--certificate-oidc-issuer", read("issuer", DEFAULT_ISSUER)]
        if os.path.exists(os.path.join(folder, "trusted_root.json")):
            args += ["--trusted-root", os.path.join(folder, "trusted_root.json")]
        digest = "sha256:" + hashlib.sha256(open(artifact, "rb").read()).hexdigest()
        for form, subject in (("path", artifact), ("digest", digest)):
            ok, output = run(signet, args + [subject])
            tally.record(f"sigstore-conformance/{case} ({form})", expect_ok, ok, output)


def certificate_identity(cert):
    """The first SAN and the OIDC issuer of a Fulcio certificate, read with openssl."""
    text = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-text"], check=True, capture_output=True,
                          text=True).stdout
    san = re.search(r"X509v3 Subject Alternative Name:.*?\n\s*(.+)", text).group(1).split(",")[0].strip()
    san = re.sub(r"^(email|URI):", "", san)
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    issuer = None
    # Fulcio's issuer: 1.3.6.1.4.1.57264.1.8 (DER UTF8String) or the older .1.1 (raw string).
    for arc, wrapped in ((b"\x08", True), (b"\x01", False)):
        oid = b"\x06\x0a\x2b\x06\x01\x04\x01\x83\xbf\x30\x01" + arc
        at = der.find(oid)
        if at < 0:
            continue
        value = der[at + len(oid):]
        if value[0] == 0x01:  # critical BOOLEAN
            value = value[3:]
        length = value[1]  # OCTET STRING, short form
        content = value[2:2 + length]
        issuer = (content[2:2 + content[1]] if wrapped else content).decode()
        break
    return san, issuer


def has_embedded_scts(cert):
    text = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-text"], check=True, capture_output=True,
                          text=True).stdout
    return "CT Precertificate SCTs" in text


def image_digest(folder):
    path = os.path.join(folder, "image-manifest.json")
    return "sha256:" + hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.exists(path) else None


def cosign_real(signet, vectors, tally):
    base = os.path.join(vectors, "cosign-real")
    root = os.path.join(base, "_trust", "trusted_root_public_good.json")
    for case in sorted(os.listdir(base)):
        folder = os.path.join(base, case)
        if not os.path.isdir(folder) or case.startswith("_"):
            continue
        path = lambda name: os.path.join(folder, name)
        has = lambda name: os.path.exists(path(name))
        expect_ok = not case.startswith("neg-")
        args = ["verify-signature", "--trusted-root", root]
        if case.startswith("setonly-"):
            # A SET whose signed payload is lost: no signature to verify, so nothing to run.
            tally.not_run.append(f"cosign-real/{case}: no signed payload")
            continue
        if has("sigstore-bundle.json"):
            # A sigstore bundle is verify-bundle's: the statement's subject from the bundle itself.
            statement = json.load(open(path("statement.json")))
            subject = "sha256:" + statement["subject"][0]["digest"]["sha256"]
            san, issuer = certificate_identity(path("cert.pem")) if has("cert.pem") else (None, None)
            args = ["verify-bundle", "--bundle", path("sigstore-bundle.json"), "--trusted-root",
                    path("trusted_root.json") if has("trusted_root.json") else root]
            if san is None:
                bundle = json.load(open(path("sigstore-bundle.json")))
                material = bundle["verificationMaterial"]
                der = base64.b64decode(material.get("certificate", {}).get("rawBytes") or
                                       material["x509CertificateChain"]["certificates"][0]["rawBytes"])
                with tempfile.NamedTemporaryFile(suffix=".der") as f:
                    f.write(der)
                    f.flush()
                    pem = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", f.name], check=True,
                                         capture_output=True, text=True).stdout
                with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
                    f.write(pem)
                san, issuer = certificate_identity(f.name)
                os.unlink(f.name)
            args += ["--certificate-identity", san, "--certificate-oidc-issuer", issuer, subject]
            ok, output = run(signet, args)
            tally.record(f"cosign-real/{case}", expect_ok, ok, output)
            continue
        if has("envelope.json"):
            args += ["--envelope", path("envelope.json")]
            statement = json.load(open(path("statement.json"))) if has("statement.json") else None
            if statement:
                args += ["--image-digest", "sha256:" + statement["subject"][0]["digest"]["sha256"]]
        else:
            args += ["--payload", path("payload.json"), "--signature", path("signature.b64")]
            digest = image_digest(folder)
            if digest is None:
                payload = json.load(open(path("payload.json")))
                digest = payload["critical"]["image"]["docker-manifest-digest"]
            args += ["--image-digest", digest]
        if has("bundle.json"):
            args += ["--bundle", path("bundle.json")]
        else:
            args += ["--ignore-tlog"]
        if has("key.pub"):
            args += ["--key", path("key.pub")]
        elif case.startswith("pki-"):
            # Bring-your-own PKI: a certificates attestor, with the CA chain when it is published; no SCT.
            args += ["--cert", path("cert.pem"), "--ignore-sct"]
            if has("chain.pem"):
                args += ["--chain", path("chain.pem")]
        else:
            # The SOURCE files name no identity: the cert's own SAN and issuer (Fulcio's 2021 certs have none).
            san, issuer = certificate_identity(path("cert.pem"))
            args += ["--cert", path("cert.pem"), "--certificate-identity", san]
            if issuer:
                args += ["--certificate-oidc-issuer", issuer]
            if not has_embedded_scts(path("cert.pem")):
                # Fulcio embedded SCTs from 2022 on; auditing an older signature means saying so.
                args += ["--ignore-sct"]
            if has("chain.pem"):
                args += ["--chain", path("chain.pem")]
        ok, output = run(signet, args)
        tally.record(f"cosign-real/{case}", expect_ok, ok, output)


def main():
    signet, vectors = sys.argv[1], sys.argv[2]
    if not os.path.isdir(os.path.join(vectors, "sigstore-conformance")) or \
            not os.path.isdir(os.path.join(vectors, "cosign-real")):
        print(f"SKIP: the public judges are not in {vectors} (a clone without ../shared/vectors)")
        return 0
    wrong = 0
    for what, judge in (("sigstore-conformance bundle-verify", conformance), ("cosign-real", cosign_real)):
        tally = Tally()
        judge(signet, vectors, tally)
        tally.report(what)
        wrong += len(tally.wrong)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
