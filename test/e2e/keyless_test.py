#!/usr/bin/python3
"""signet end to end, keyless: a real docker-registry, images pushed by skopeo, signatures and attestations
made by an independent signer (sigstore-js's @sigstore/sign against @sigstore/mock's Fulcio, CT log and
Rekor, test/support/sigstore/), bundles attached by @sigstore/oci, and `signet serve` over HTTPS given the
mock's trusted_root.json, answering AdmissionReviews.

usage: keyless_test.py SIGNET_BINARY [unittest options]
"""
import concurrent.futures, json, os, shutil, subprocess, sys, tempfile, textwrap, unittest, urllib.request

import e2e_test
from e2e_test import PYTHON, SUPPORT, Signet, free_port, make_key, pod_review, support

SIGSTORE = os.path.join(SUPPORT, "sigstore")
NODE = shutil.which("node") or "/usr/bin/node"

SIGNER, ISSUER = "signer@example.com", "https://issuer.example.com"
GITHUB_IDENTITY = "https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
# The token claims the mock Fulcio turns into GitHub's certificate extensions (as make_fixtures.sh signs).
GITHUB_CLAIMS = {"repository": "acme/app", "ref": "refs/heads/main", "sha": "0123456789abcdef0123456789abcdef01234567",
                 "workflow": "build", "event_name": "push",
                 "job_workflow_ref": "acme/app/.github/workflows/build.yml@refs/heads/main",
                 "runner_environment": "github-hosted", "repository_owner": "acme",
                 "repository_visibility": "public", "run_id": "42", "run_attempt": "1"}
SLSA_V1 = "https://slsa.dev/provenance/v1"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def indent(text, spaces):
    return textwrap.indent(text, " " * spaces)


def cluster_policy(name, entries):
    """A ClusterPolicy whose one rule `verify` checks Pods with the given verifyImages entries (YAML)."""
    return f"""apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {name}
spec:
  validationFailureAction: Enforce
  rules:
    - name: verify
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
{indent(chr(10).join(entries), 8)}
"""


def entry(refs, attestor, fields, extra=""):
    """One verifyImages entry with one attestor (`keyless`, `keys`...) of the given fields (YAML)."""
    return (f"- imageReferences: {json.dumps(refs)}\n{extra}  attestors:\n    - entries:\n        - {attestor}:\n"
            + indent(fields, 12))


def node(script, *args):
    run = subprocess.run([NODE, os.path.join(SIGSTORE, script), *map(str, args)], capture_output=True, text=True,
                         timeout=60)
    if run.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(map(str, args))}: exit {run.returncode}\n{run.stderr}")
    return run.stdout.strip()


class MockSigstore:
    """mock_sigstore.js: Fulcio, CT log, Rekor and TSA on one loopback port, a new trust domain each start."""

    def __init__(self, folder):
        self.folder = folder
        self.log = open(folder + ".log", "w")
        self.proc = subprocess.Popen([NODE, os.path.join(SIGSTORE, "mock_sigstore.js"), folder],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("mock_sigstore.js did not start; see " + self.log.name)
        self.url = line.split()[1]
        self.trusted_root = os.path.join(folder, "trusted_root.json")

    def read(self, name):
        with open(os.path.join(self.folder, name)) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.log.close()


class KeylessCase(unittest.TestCase):
    """One mock Sigstore, one plain-HTTP registry (@sigstore/oci speaks HTTP to 127.0.0.1) and one signet
    trusting the mock, per class. Subclasses push and sign in `prepare` and return their policies."""

    insecure = ()  # more plain-HTTP registries signet may use

    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(os.path.join(SIGSTORE, "node_modules", "@sigstore", "sign")):
            raise unittest.SkipTest(f"{SIGSTORE}/node_modules is missing: run scripts/install-deps")
        cls.work = tempfile.mkdtemp(prefix="signet-e2e-keyless-")
        cls.cleanups = []
        try:
            cls.mock = MockSigstore(os.path.join(cls.work, "mock"))
            cls.cleanups.append(cls.mock.stop)
            port = free_port()
            cls.reg = f"127.0.0.1:{port}"
            support("registry.py", "start", os.path.join(cls.work, "registry"), port)
            cls.cleanups.append(lambda: subprocess.run(
                [PYTHON, os.path.join(SUPPORT, "registry.py"), "stop", os.path.join(cls.work, "registry")]))
            policies = os.path.join(cls.work, "policies")
            os.makedirs(policies)
            for name, text in cls.prepare().items():
                with open(os.path.join(policies, name + ".yaml"), "w") as f:
                    f.write(text)
            cls.signet = cls.serve(policies, "signet", ["--trusted-root", cls.mock.trusted_root])
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def serve(cls, policies, folder, extra_args):
        work = os.path.join(cls.work, folder)
        os.makedirs(work)
        server = Signet(work, policies, None, None, [cls.reg, *cls.insecure], with_registry_files=False,
                        extra_args=extra_args)
        cls.cleanups.append(lambda: (server.stop(), server.log.close()))
        return server

    @classmethod
    def tearDownClass(cls):
        for cleanup in reversed(cls.cleanups):
            cleanup()
        if os.environ.get("SIGNET_E2E_KEEP"):
            print("kept", cls.work)
        else:
            shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def prepare(cls):
        return {}

    @classmethod
    def in_parallel(cls, jobs):
        """Runs each job (a callable) at once; the results in order, or the first failure raised."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            return [f.result() for f in [pool.submit(job) for job in jobs]]

    @classmethod
    def push(cls, repo):
        """Pushes a unique image to repo:v1; returns its digest."""
        return support("push_image.py", f"{cls.reg}/{repo}:v1", "--text", repo + "-" + os.urandom(4).hex())

    @classmethod
    def image(cls, repo, digest, reg=None):
        return f"{reg or cls.reg}/{repo}:v1@{digest}"

    @classmethod
    def registry_call(cls, method, path, body=None, headers=None):
        request = urllib.request.Request(f"http://{cls.reg}{path}", data=body, method=method, headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def review(self, image, server=None):
        return (server or self.signet).review(pod_review([image], uid="k-" + os.urandom(4).hex()))

    def assert_allowed(self, image, server=None):
        response = self.review(image, server)
        self.assertTrue(response["allowed"], response.get("status"))

    def assert_denied(self, image, *reasons, server=None):
        """Denied, and the message the user sees names the image and each reason."""
        response = self.review(image, server)
        self.assertFalse(response["allowed"], response)
        message = response["status"]["message"]
        self.assertIn(image, message)
        for reason in reasons:
            self.assertIn(reason, message)
        return message


class KeylessSignatures(KeylessCase):
    """cosign's keyless layout: a Fulcio certificate, its chain and the Rekor SET as annotations of a layer of
    `sha256-<hex>.sig`, made by cosign_keyless.js; keys with a Rekor entry made by cosign_key_rekor.js."""

    @classmethod
    def prepare(cls):
        signer = f"subject: {SIGNER}\nissuer: {ISSUER}\n"
        rekor_key = cls.mock.read("rekor.pub")
        cls.key, public_key = make_key(os.path.join(cls.work, "key"), "p256")

        def keyless(repo, *options, strip_bundle=False):
            def job():
                digest = cls.push(repo)
                node("cosign_keyless.js", cls.mock.url, f"{cls.reg}/{repo}@{digest}", os.path.join(cls.work, repo),
                     "--push", "--plain-http", *options)
                if strip_bundle:
                    cls.strip_bundle(repo, digest)
                return digest
            return job

        def keyed(repo, with_rekor):
            def job():
                digest = cls.push(repo)
                if with_rekor:
                    node("cosign_key_rekor.js", cls.mock.url, f"{cls.reg}/{repo}@{digest}", cls.key,
                         os.path.join(cls.work, repo), "--push")
                else:
                    support("cosign_sign.py", cls.reg, repo, digest, cls.key, "--plain-http")
                return digest
            return job

        github = ["--identity", GITHUB_IDENTITY, "--issuer", GITHUB_ISSUER, "--claims", json.dumps(GITHUB_CLAIMS)]
        jobs = {
            "signer/signed": keyless("signer/signed"),
            "signer/unsigned": cls.push_job("signer/unsigned"),
            "signer/other": keyless("signer/other", "--identity", "someone@example.com"),
            "issuer/signed": keyless("issuer/signed", "--issuer", "https://accounts.example.org"),
            "regexp/signed": keyless("regexp/signed"),
            "github/signed": keyless("github/signed", *github),
            "github/fork": keyless("github/fork", "--identity", GITHUB_IDENTITY, "--issuer", GITHUB_ISSUER, "--claims",
                                   json.dumps({**GITHUB_CLAIMS, "repository": "mallory/app"})),
            "sct/signed": keyless("sct/signed"),
            "sctignored/signed": keyless("sctignored/signed"),
            "notlog/signed": keyless("notlog/signed", strip_bundle=True),
            "notlogignored/signed": keyless("notlogignored/signed", strip_bundle=True),
            "keyed/rekor": keyed("keyed/rekor", True),
            "keyed/plain": keyed("keyed/plain", False),
        }
        cls.digests = dict(zip(jobs, cls.in_parallel(jobs.values())))

        ref = lambda prefix: [f"{cls.reg}/{prefix}/*"]
        github_extensions = ("additionalExtensions:\n  githubWorkflowRepository: acme/app\n"
                             "  githubWorkflowTrigger: push\n  sourceRepositoryURI: https://github.com/acme/*\n")
        return {
            "signer": cluster_policy("keyless-signer", [entry(ref("signer"), "keyless", signer)]),
            "issuer": cluster_policy("keyless-issuer", [entry(ref("issuer"), "keyless", signer)]),
            "regexp": cluster_policy("keyless-regexp", [entry(
                ref("regexp"), "keyless", "subjectRegExp: '^signer@example\\.com$'\nissuerRegExp: '^https://issuer\\.'\n")]),
            "github": cluster_policy("keyless-github", [entry(
                ref("github"), "keyless", f"subject: {GITHUB_IDENTITY}\nissuer: {GITHUB_ISSUER}\n" + github_extensions)]),
            # ctlog.pubkey replaces the trusted root's CT logs: with Rekor's key, the SCT is from an unknown log.
            "sct": cluster_policy("keyless-sct", [
                entry(ref("sct"), "keyless", signer + "ctlog:\n  pubkey: |-\n" + indent(rekor_key.strip(), 4) + "\n"),
                entry(ref("sctignored"), "keyless",
                      signer + "ctlog:\n  ignoreSCT: true\n  pubkey: |-\n" + indent(rekor_key.strip(), 4) + "\n")]),
            "notlog": cluster_policy("keyless-tlog", [
                entry(ref("notlog"), "keyless", signer),
                entry(ref("notlogignored"), "keyless", signer + "rekor:\n  ignoreTlog: true\n")]),
            "keyed": cluster_policy("keyed-tlog", [
                entry(ref("keyed"), "keys", "publicKeys: |-\n" + indent(public_key.strip(), 2) + "\n")]),
        }

    @classmethod
    def push_job(cls, repo):
        return lambda: cls.push(repo)

    @classmethod
    def strip_bundle(cls, repo, digest):
        """Rewrites the signature manifest without the layer's Rekor bundle: a signature never logged."""
        path = f"/v2/{repo}/manifests/{digest.replace(':', '-')}.sig"
        manifest = json.loads(cls.registry_call("GET", path, headers={"Accept": OCI_MANIFEST}))
        for layer in manifest["layers"]:
            del layer["annotations"]["dev.sigstore.cosign/bundle"]
        cls.registry_call("PUT", path, json.dumps(manifest).encode(), {"Content-Type": OCI_MANIFEST})

    def at(self, repo):
        return self.image(repo, self.digests[repo])

    def test_an_image_signed_keyless_by_the_named_signer_and_issuer_is_allowed(self):
        self.assert_allowed(self.at("signer/signed"))

    def test_an_unsigned_image_is_denied(self):
        self.assert_denied(self.at("signer/unsigned"), "keyless-signer", "no signatures found")

    def test_a_signature_by_another_subject_is_denied(self):
        self.assert_denied(self.at("signer/other"), "subject mismatch", "expected signer@example.com",
                           "someone@example.com")

    def test_a_signature_from_another_issuer_is_denied(self):
        self.assert_denied(self.at("issuer/signed"), "issuer mismatch", "https://accounts.example.org")

    def test_subject_and_issuer_regular_expressions_match(self):
        self.assert_allowed(self.at("regexp/signed"))

    def test_github_workflow_identity_with_its_extensions_is_allowed(self):
        self.assert_allowed(self.at("github/signed"))

    def test_a_github_extension_with_another_value_is_denied(self):
        self.assert_denied(self.at("github/fork"), "extension mismatch", "githubWorkflowRepository", "mallory/app")

    def test_an_sct_from_an_unknown_ct_log_is_denied_unless_ignore_sct(self):
        self.assert_denied(self.at("sct/signed"), "certificate transparency")
        self.assert_allowed(self.at("sctignored/signed"))

    def test_a_signature_without_its_rekor_bundle_is_denied_unless_ignore_tlog(self):
        self.assert_denied(self.at("notlog/signed"), "no transparency log entry")
        self.assert_allowed(self.at("notlogignored/signed"))

    def test_a_key_signature_logged_in_rekor_passes_without_ignore_tlog(self):
        self.assert_allowed(self.at("keyed/rekor"))
        self.assert_denied(self.at("keyed/plain"), "no transparency log entry")

    def test_the_public_good_root_does_not_trust_the_mock(self):
        # No --trusted-root: the embedded public-good root names neither the mock's Fulcio nor its Rekor.
        public_good = self.serve(os.path.join(self.work, "policies"), "public-good", [])
        self.assert_denied(self.at("signer/signed"), "not in the trusted root", server=public_good)
        self.assert_denied(self.at("keyed/rekor"), "not in the trusted root", server=public_good)
        public_good.stop()


class SigstoreBundles(KeylessCase):
    """Sigstore bundles (`type: SigstoreBundle`) attached by @sigstore/oci as OCI 1.1 referrers: found through
    the tag fallback of docker-registry 2.8, and through the referrers API of a proxy in front of it."""

    @classmethod
    def setUpClass(cls):
        cls.proxy_port = free_port()
        cls.proxy = f"127.0.0.1:{cls.proxy_port}"
        cls.insecure = (cls.proxy,)
        super().setUpClass()

    @classmethod
    def prepare(cls):
        def attested(repo, builder="https://ci.example/builder", signer=None, manifest_signed=True,
                     digest_signed=None):
            def job():
                digest = cls.push(repo)
                folder = os.path.join(cls.work, repo)
                os.makedirs(folder)
                identity = ["--identity", signer] if signer else []
                if builder:
                    statement = os.path.join(folder, "statement.json")
                    with open(statement, "w") as f:
                        json.dump(cls.statement(repo, digest, builder), f)
                    node("sign.js", cls.mock.url, "dsse", statement, os.path.join(folder, "dsse.json"), *identity)
                    node("attach_bundle.js", f"{cls.reg}/{repo}@{digest}", os.path.join(folder, "dsse.json"))
                if manifest_signed:
                    # A message signature over the image is one over its manifest's bytes, as the registry holds them.
                    manifest = os.path.join(folder, "manifest.json")
                    with open(manifest, "wb") as f:
                        f.write(subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false",
                                                f"docker://{cls.reg}/{repo}@{digest}"],
                                               check=True, capture_output=True).stdout)
                    if digest_signed is not None:
                        with open(manifest, "w") as f:
                            f.write(digest_signed)
                    node("sign.js", cls.mock.url, "blob", manifest, os.path.join(folder, "message.json"), *identity)
                    node("attach_bundle.js", f"{cls.reg}/{repo}@{digest}", os.path.join(folder, "message.json"))
                return digest
            return job

        jobs = {
            "bundles/good": attested("bundles/good"),
            "bundles/otherbuilder": attested("bundles/otherbuilder", builder="https://evil.example/builder"),
            "bundles/stranger": attested("bundles/stranger", signer="someone@example.com"),
            "bundles/otherdigest": attested("bundles/otherdigest", builder=None, digest_signed="other bytes\n"),
            "bundles/none": lambda: cls.push("bundles/none"),
            "referrers/good": attested("referrers/good"),
        }
        cls.digests = dict(zip(jobs, cls.in_parallel(jobs.values())))
        cls.start_referrers_proxy("referrers/good", cls.digests["referrers/good"])

        signer = f"subject: {SIGNER}\nissuer: {ISSUER}\n"
        attestations = f"""  attestations:
    - type: {SLSA_V1}
      attestors:
        - entries:
            - keyless:
{indent(signer, 16)}      conditions:
        - all:
            - key: "{{{{ runDetails.builder.id }}}}"
              operator: Equals
              value: https://ci.example/builder
"""
        refs = [f"{cls.reg}/bundles/*", f"{cls.proxy}/referrers/*"]
        return {"bundles": cluster_policy("sigstore-bundles", [
            entry(refs, "keyless", signer, extra="  type: SigstoreBundle\n") + attestations])}

    @classmethod
    def statement(cls, repo, digest, builder):
        return {"_type": "https://in-toto.io/Statement/v1",
                "subject": [{"name": f"{cls.reg}/{repo}", "digest": {"sha256": digest.split(":", 1)[1]}}],
                "predicateType": SLSA_V1,
                "predicate": {"buildDefinition": {"buildType": "https://ci.example/build/v1", "externalParameters": {}},
                              "runDetails": {"builder": {"id": builder}}}}

    @classmethod
    def start_referrers_proxy(cls, repo, digest):
        """fault_proxy.py answers GET /v2/<repo>/referrers/<digest> with the referrers @sigstore/oci listed in
        the tag-schema index (the OCI 1.1 wire format is that index), and hides the index itself: signet can
        only find the bundles through the referrers API."""
        hex_digest = digest.split(":", 1)[1]
        index = os.path.join(cls.work, "referrers.json")
        with open(index, "wb") as f:
            f.write(cls.registry_call("GET", f"/v2/{repo}/manifests/sha256-{hex_digest}", headers={"Accept": OCI_INDEX}))
        cls.proxy_log = os.path.join(cls.work, "proxy.log")
        proc = subprocess.Popen(
            [PYTHON, os.path.join(SUPPORT, "fault_proxy.py"), f"http://{cls.reg}", "--log", cls.proxy_log,
             "--port", str(cls.proxy_port),
             "--fault", f"^/v2/{repo}/referrers/{digest}$ serve={index} type={OCI_INDEX}",
             "--fault", f"^/v2/{repo}/manifests/sha256-{hex_digest}$ status=404"],
            stdout=subprocess.PIPE, text=True)
        cls.cleanups.append(lambda: (proc.terminate(), proc.wait(timeout=10), proc.stdout.close()))
        proc.stdout.readline()  # "PORT OTHER_PORT" once it listens

    def at(self, repo, reg=None):
        return self.image(repo, self.digests[repo], reg)

    def test_bundles_through_the_tag_fallback_pass_signature_and_attestation(self):
        self.assert_allowed(self.at("bundles/good"))

    def test_an_attestation_failing_its_condition_is_denied_naming_the_value(self):
        self.assert_denied(self.at("bundles/otherbuilder"), SLSA_V1, "https://evil.example/builder", "Equals")

    def test_bundles_by_another_signer_are_denied(self):
        self.assert_denied(self.at("bundles/stranger"), "subject mismatch", "someone@example.com")

    def test_a_message_signature_over_other_bytes_is_denied(self):
        self.assert_denied(self.at("bundles/otherdigest"), "the bundle signs sha256:", "not " + self.digests["bundles/otherdigest"])

    def test_an_image_without_bundles_is_denied(self):
        self.assert_denied(self.at("bundles/none"), "no sigstore bundles found")

    def test_bundles_through_the_referrers_api_pass(self):
        self.assert_allowed(self.at("referrers/good", reg=self.proxy))
        with open(self.proxy_log) as f:
            lines = f.read().splitlines()
        digest = self.digests["referrers/good"]
        self.assertTrue(any(f"GET /v2/referrers/good/referrers/{digest} 200 serve" in line for line in lines), lines)
        self.assertFalse(any("/manifests/sha256-" in line and " 200 " in line for line in lines), lines)


if __name__ == "__main__":
    e2e_test.SIGNET = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
