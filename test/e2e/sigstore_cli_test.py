#!/usr/bin/python3
"""`signet verify-bundle` and `signet verify-signature` on keyless material an independent signer made
against mock Fulcio, Rekor and TSA (the ctest fixture `sigstore`, test/support/sigstore/README.md): good
bundles verify, broken copies and wrong signers are refused, a cosign keyless layer verifies with and
without its log evidence as the flags say, and usage errors exit 2.

usage: sigstore_cli_test.py SIGNET_BINARY FIXTURES_DIR [unittest options]
"""
import base64, hashlib, json, os, subprocess, sys, tempfile, unittest

SIGNET = FIXTURES = None  # set from argv


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def text(*parts):
    with open(fixture(*parts)) as f:
        return f.read().strip()


def signet(*args):
    out = subprocess.run([SIGNET, *args], capture_output=True, text=True)
    return out.returncode, (out.stdout + out.stderr).strip()


def blob_digest():
    with open(fixture("blob.txt"), "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


class VerifyBundle(unittest.TestCase):
    def verify(self, bundle, identity=None, issuer=None, artifact=None):
        return signet("verify-bundle", "--bundle", fixture(bundle),
                      "--certificate-identity", identity or text("identity"),
                      "--certificate-oidc-issuer", issuer or text("issuer"),
                      "--trusted-root", fixture("trusted_root.json"), artifact or fixture("blob.txt"))

    def assert_both_forms(self, bundle, expect_code, **identity):
        for artifact in (fixture("blob.txt"), blob_digest()):
            code, output = self.verify(bundle, artifact=artifact, **identity)
            self.assertEqual(code, expect_code, f"{bundle} over {artifact}: {output}")
            self.assertTrue(output.startswith("verified: " if expect_code == 0 else "not verified: "), output)
        return output

    def test_good_bundles_verify_over_the_file_and_over_its_digest(self):
        for bundle in ("blob.bundle.json", "blob-v02.bundle.json", "blob-tsa.bundle.json", "dsse.bundle.json",
                       "dsse-intoto.bundle.json", "dsse-tsa.bundle.json"):
            with self.subTest(bundle=bundle):
                output = self.assert_both_forms(bundle, 0)
                self.assertIn("signer@example.com (issuer https://issuer.example.com)", output)

    def test_a_github_workflow_identity_verifies_exactly(self):
        workflow = "https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main"
        self.assert_both_forms("github.bundle.json", 0, identity=workflow,
                               issuer="https://token.actions.githubusercontent.com")
        # Exact, not a prefix or a pattern.
        self.assert_both_forms("github.bundle.json", 1, identity=workflow.replace("main", "ma*"),
                               issuer="https://token.actions.githubusercontent.com")

    def test_broken_copies_are_refused(self):
        for bundle in ("bad-sig", "bad-set", "bad-body", "bad-checkpoint", "bad-cert", "bad-tsa", "bad-payload"):
            with self.subTest(bundle=bundle):
                self.assert_both_forms(bundle + ".bundle.json", 1)

    def test_a_bundle_with_only_a_timestamp_is_refused_as_the_log_entry_is_required(self):
        output = self.assert_both_forms("blob-notlog-tsa.bundle.json", 1)
        self.assertIn("no transparency log entry", output)

    def test_another_signer_or_issuer_is_refused_naming_the_mismatch(self):
        output = self.assert_both_forms("blob.bundle.json", 1, identity="other@example.com")
        self.assertIn("subject mismatch", output)
        output = self.assert_both_forms("blob.bundle.json", 1, issuer="https://other.example.com")
        self.assertIn("issuer mismatch", output)

    def test_another_artifact_is_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as other:
            other.write("not the blob\n")
            other.flush()
            for bundle in ("blob.bundle.json", "dsse.bundle.json"):
                code, output = self.verify(bundle, artifact=other.name)
                self.assertEqual(code, 1, output)
        code, output = self.verify("blob.bundle.json", artifact="sha256:" + "0" * 64)
        self.assertEqual(code, 1, output)
        self.assertIn("message digest", output)

    def test_the_embedded_public_good_root_does_not_trust_the_mock(self):
        code, output = signet("verify-bundle", "--bundle", fixture("blob.bundle.json"), "--certificate-identity",
                              text("identity"), "--certificate-oidc-issuer", text("issuer"), fixture("blob.txt"))
        self.assertEqual(code, 1, output)

    def test_usage_errors_exit_2(self):
        code, output = signet("verify-bundle", "--staging", "--bundle", fixture("blob.bundle.json"),
                              "--certificate-identity", "a", "--certificate-oidc-issuer", "b", fixture("blob.txt"))
        self.assertEqual(code, 2)
        self.assertIn("no staging root is embedded; pass --trusted-root", output)
        code, _ = signet("verify-bundle", "--bundle", fixture("blob.bundle.json"), fixture("blob.txt"))
        self.assertEqual(code, 2)
        code, _ = signet("verify-bundle", "--bundle", fixture("blob.bundle.json"), "--certificate-identity", "a",
                         fixture("blob.txt"))
        self.assertEqual(code, 2)
        code, output = signet("verify-bundle", "--help")
        self.assertEqual(code, 0)
        self.assertIn("FILE_OR_DIGEST", output)


class VerifySignature(unittest.TestCase):
    def verify(self, *extra, folder="cosign", identity=True, digest=None, bundle=True, timestamp=True):
        args = ["verify-signature", "--payload", fixture(folder, "payload.json"), "--signature",
                fixture(folder, "signature"), "--cert", fixture(folder, "cert.pem"), "--chain",
                fixture(folder, "chain.pem"), "--trusted-root", fixture("trusted_root.json"),
                "--image-digest", digest or text(folder, "digest")]
        if identity:
            args += ["--certificate-identity", text("identity"), "--certificate-oidc-issuer", text("issuer")]
        if bundle:
            args += ["--bundle", fixture(folder, "rekor-bundle.json")]
        if timestamp and os.path.exists(fixture(folder, "rfc3161.json")):
            args += ["--rfc3161", fixture(folder, "rfc3161.json")]
        return signet(*args, *extra)

    def test_the_keyless_cosign_layer_verifies_with_identity(self):
        code, output = self.verify()
        self.assertEqual(code, 0, output)
        self.assertEqual(output, f"verified: signature by signer@example.com (issuer https://issuer.example.com), "
                                 f"naming {text('cosign', 'digest')}")

    def test_without_log_evidence_it_verifies_only_when_the_tlog_is_ignored(self):
        code, output = self.verify(bundle=False, timestamp=False)
        self.assertEqual(code, 1, output)
        self.assertIn("no transparency log entry", output)
        # The certificate is minutes old: it chains at the present time.
        code, output = self.verify("--ignore-tlog", bundle=False, timestamp=False)
        self.assertEqual(code, 0, output)

    def test_the_claims_must_name_the_image_digest(self):
        code, output = self.verify(digest=text("cosign-other", "digest"))
        self.assertEqual(code, 1, output)
        self.assertIn("not the image digest", output)

    def test_without_an_image_digest_it_says_the_claims_were_not_checked(self):
        args = ["verify-signature", "--payload", fixture("cosign", "payload.json"), "--signature",
                fixture("cosign", "signature"), "--cert", fixture("cosign", "cert.pem"), "--chain",
                fixture("cosign", "chain.pem"), "--bundle", fixture("cosign", "rekor-bundle.json"),
                "--trusted-root", fixture("trusted_root.json"), "--certificate-identity", text("identity"),
                "--certificate-oidc-issuer", text("issuer")]
        code, output = signet(*args)
        self.assertEqual(code, 0, output)
        self.assertIn("claims not checked", output)

    def test_a_log_entry_of_another_signature_is_refused(self):
        code, output = self.verify(folder="cosign-other")
        self.assertEqual(code, 0, output)  # its own entry
        # The other layer's Rekor bundle names another signature than this layer's.
        code, output = self.verify("--bundle", fixture("cosign-other", "rekor-bundle.json"))
        self.assertEqual(code, 1, output)
        self.assertIn("transparency log entry", output)

    def test_another_identity_is_refused(self):
        code, output = self.verify("--certificate-identity", "other@example.com")
        self.assertEqual(code, 1, output)
        self.assertIn("subject mismatch", output)

    def test_the_certificate_alone_is_a_certificates_attestor(self):
        code, output = signet("verify-signature", "--payload", fixture("cosign", "payload.json"), "--signature",
                              fixture("cosign", "signature"), "--cert", fixture("cosign", "cert.pem"), "--bundle",
                              fixture("cosign", "rekor-bundle.json"), "--trusted-root", fixture("trusted_root.json"),
                              "--image-digest", text("cosign", "digest"))
        self.assertEqual(code, 0, output)

    def test_a_dsse_attestation_verifies_and_must_name_the_image(self):
        with open(fixture("dsse.bundle.json")) as f:
            bundle = json.load(f)
        der = base64.b64decode(bundle["verificationMaterial"]["certificate"]["rawBytes"])
        with tempfile.TemporaryDirectory() as folder:
            envelope = os.path.join(folder, "envelope.json")
            with open(envelope, "w") as f:
                json.dump(bundle["dsseEnvelope"], f)
            cert = os.path.join(folder, "cert.pem")
            with open(cert, "w") as f:
                f.write("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode() +
                        "-----END CERTIFICATE-----\n")
            args = ["verify-signature", "--envelope", envelope, "--cert", cert, "--chain", fixture("fulcio-chain.pem"),
                    "--certificate-identity", text("identity"), "--certificate-oidc-issuer", text("issuer"),
                    "--trusted-root", fixture("trusted_root.json"), "--ignore-tlog"]
            code, output = signet(*args, "--image-digest", blob_digest())
            self.assertEqual(code, 0, output)
            self.assertIn("attestation of type", output)
            code, output = signet(*args, "--image-digest", "sha256:" + "1" * 64)
            self.assertEqual(code, 1, output)
            self.assertIn("subject does not name", output)

    def test_usage_errors_exit_2(self):
        code, _ = signet("verify-signature", "--payload", fixture("cosign", "payload.json"))
        self.assertEqual(code, 2)
        code, _ = signet("verify-signature", "--payload", fixture("cosign", "payload.json"), "--signature",
                         fixture("cosign", "signature"), "--key", fixture("rekor.pub"), "--cert",
                         fixture("cosign", "cert.pem"))
        self.assertEqual(code, 2)
        code, output = signet("verify-signature", "--payload", fixture("cosign", "payload.json"), "--signature",
                              fixture("cosign", "signature"), "--key", fixture("rekor.pub"), "--image-digest", "latest")
        self.assertEqual(code, 2)
        self.assertIn("--image-digest", output)
        code, output = signet("verify-signature", "--help")
        self.assertEqual(code, 0)
        self.assertIn("--envelope", output)


if __name__ == "__main__":
    SIGNET, FIXTURES = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)
