#!/usr/bin/python3
"""signet end to end: a real docker-registry (TLS with a test CA, basic auth), images pushed by skopeo,
cosign-format signatures made by an independent signer (test/support/cosign_sign.py, openssl doing the
crypto), `signet serve` over HTTPS, and AdmissionReviews as the API server sends them.

usage: e2e_test.py SIGNET_BINARY [unittest options]
"""
import base64, http.client, json, os, shutil, signal, socket, ssl, subprocess, sys, tempfile, threading, time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
PYTHON = "/usr/bin/python3"
SIGNET = None  # set from argv
DEADLINE_SECONDS = 2
BODY_LIMIT = 64 * 1024


def support(script, *args, env=None):
    out = subprocess.run([PYTHON, os.path.join(SUPPORT, script), *map(str, args)], check=True,
                         capture_output=True, text=True, env=env)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_key(path, alg):
    support("make_key.py", path, "--alg", alg)
    return path + ".pem", open(path + ".pub").read()


def policy_yaml(name, action, refs, pem, ignore_tlog=True, rule="verify-signature"):
    keys = "\n".join("                      " + line for line in pem.strip().splitlines())
    rekor = "\n                    rekor:\n                      ignoreTlog: true" if ignore_tlog else ""
    refs_yaml = "\n".join(f'            - "{r}"' for r in refs)
    # Kyverno refuses mutateDigest (default true) under Audit: an audit rule must not rewrite images.
    if action == "Audit":
        refs_yaml += "\n          mutateDigest: false"
    return f"""apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {name}
spec:
  validationFailureAction: {action}
  rules:
    - name: {rule}
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences:
{refs_yaml}
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
{keys}{rekor}
"""


def pod_review(images, operation="CREATE", uid="uid-1", kind="Pod"):
    containers = [{"name": f"c{i}", "image": image} for i, image in enumerate(images)]
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"containers": containers}}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": kind},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "namespace": "default", "operation": operation,
                        "userInfo": {"username": "e2e"}, "object": obj}}


class HangingServer:
    """Accepts TCP connections and never answers: a registry that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                return


class Signet:
    def __init__(self, work, policy_dir, registry_ca, docker_config, insecure, with_registry_files=True,
                 extra_args=()):
        self.work = work
        self.port = free_port()
        self.cert, self.key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
        self.make_cert("signet-e2e")
        self.log = open(os.path.join(work, "signet.log"), "w")
        self.proc = subprocess.Popen(
            [SIGNET, "serve", "--policy", policy_dir, "--tls-cert", self.cert, "--tls-key", self.key,
             "--listen", f"127.0.0.1:{self.port}", "--review-deadline", str(DEADLINE_SECONDS),
             "--max-body-bytes", str(BODY_LIMIT)]
            + (["--registry-ca", registry_ca, "--registry-config", docker_config] if with_registry_files else [])
            + sum((["--insecure-registry", h] for h in insecure), []) + list(extra_args),
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("signet did not become ready; see " + self.log.name)

    def make_cert(self, cn):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=" + cn, "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", self.key + ".new", "-out", self.cert + ".new"], check=True, capture_output=True)
        os.replace(self.key + ".new", self.key)
        os.replace(self.cert + ".new", self.cert)

    def context(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        return ctx

    def connection(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(), timeout=30)

    def request(self, method, path, body=None, conn=None):
        own = conn is None
        conn = conn or self.connection()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode()
        if own:
            conn.close()
        return response.status, data

    def get(self, path):
        return self.request("GET", path)

    def review(self, review, path="/validate"):
        status, body = self.request("POST", path, json.dumps(review))
        assert status == 200, (status, body)
        return json.loads(body)["response"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-e2e-")
        w = cls.work
        # The main registry: TLS with a test CA and basic auth.
        cls.port = free_port()
        cls.reg = f"127.0.0.1:{cls.port}"
        support("registry.py", "start", os.path.join(w, "registry"), cls.port, "--tls", "--htpasswd", "e2e:s3cret")
        cls.ca_dir = os.path.join(w, "registry")
        cls.ca = os.path.join(cls.ca_dir, "ca.crt")
        cls.docker_config = os.path.join(w, "config.json")
        with open(cls.docker_config, "w") as f:
            json.dump({"auths": {cls.reg: {"auth": base64.b64encode(b"e2e:s3cret").decode()}}}, f)
        # A second registry (plain HTTP) that the test stops.
        cls.port2 = free_port()
        cls.reg2 = f"127.0.0.1:{cls.port2}"
        support("registry.py", "start", os.path.join(w, "registry2"), cls.port2)
        cls.hanging = HangingServer()
        cls.reg_hang = f"127.0.0.1:{cls.hanging.port}"

        cls.key_a, cls.pub_a = make_key(os.path.join(w, "key-a"), "p256")
        cls.key_b, cls.pub_b = make_key(os.path.join(w, "key-b"), "ed25519")

        def push(repo, sign_with=None, claim=None, reg=None, tls=True):
            reg = reg or cls.reg
            args = [f"{reg}/{repo}:v1", "--text", repo + "-" + os.urandom(4).hex()]
            sign = []
            if tls:
                args += ["--ca", cls.ca_dir, "--creds", "e2e:s3cret"]
                sign = ["--ca", cls.ca, "--creds", "e2e:s3cret"]
            else:
                sign = ["--plain-http"]
            digest = support("push_image.py", *args)
            if sign_with:
                extra = ["--claim-digest", claim] if claim else []
                support("cosign_sign.py", reg, repo, digest, sign_with, *sign, *extra)
            return digest

        cls.d_signed = push("enforce/signed", cls.key_a)
        cls.d_unsigned = push("enforce/unsigned")
        cls.d_otherkey = push("enforce/otherkey", cls.key_b)
        cls.d_wrongclaim = push("enforce/wrongclaim", cls.key_a, claim="sha256:" + "ab" * 32)
        cls.d_audit = push("audit/unsigned")
        cls.d_tlog = push("tlog/signed", cls.key_a)
        cls.d_ed = push("ed/signed", cls.key_b)
        cls.d_reg2 = push("app/signed", cls.key_a, reg=cls.reg2, tls=False)
        cls.d_herd = push("enforce/herd", cls.key_a)

        cls.policies = os.path.join(w, "policies")
        os.makedirs(cls.policies)
        files = {
            "enforce.yaml": policy_yaml("enforce-signed", "Enforce", [f"{cls.reg}/enforce/*"], cls.pub_a),
            "audit.yaml": policy_yaml("audit-signed", "Audit", [f"{cls.reg}/audit/*"], cls.pub_a),
            "tlog.yaml": policy_yaml("tlog-required", "Enforce", [f"{cls.reg}/tlog/*"], cls.pub_a, ignore_tlog=False),
            "ed.yaml": policy_yaml("ed25519-signed", "Enforce", [f"{cls.reg}/ed/*"], cls.pub_b),
            "others.yaml": policy_yaml("other-registries", "Enforce", [f"{cls.reg2}/*", f"{cls.reg_hang}/*"],
                                       cls.pub_a),
        }
        for name, text in files.items():
            with open(os.path.join(cls.policies, name), "w") as f:
                f.write(text)
        cls.signet = Signet(w, cls.policies, cls.ca, cls.docker_config, [cls.reg2, cls.reg_hang])

    @classmethod
    def tearDownClass(cls):
        cls.signet.stop()
        for name in ("registry", "registry2"):
            subprocess.run([PYTHON, os.path.join(SUPPORT, "registry.py"), "stop", os.path.join(cls.work, name)])
        if os.environ.get("SIGNET_E2E_KEEP"):
            print("kept", cls.work)
        else:
            shutil.rmtree(cls.work, ignore_errors=True)

    def image(self, repo, digest=None, reg=None):
        ref = f"{reg or self.reg}/{repo}:v1"
        return ref + "@" + digest if digest else ref

    # --- verification -------------------------------------------------------------------------------

    def test_signed_image_is_allowed(self):
        response = self.signet.review(pod_review([self.image("enforce/signed", self.d_signed)]))
        self.assertTrue(response["allowed"], response)
        self.assertEqual(response["uid"], "uid-1")

    def test_unsigned_image_is_denied_naming_image_and_rule(self):
        image = self.image("enforce/unsigned", self.d_unsigned)
        response = self.signet.review(pod_review([image]))
        self.assertFalse(response["allowed"])
        message = response["status"]["message"]
        self.assertIn(image, message)
        self.assertIn("enforce-signed", message)
        self.assertIn("verify-signature", message)
        self.assertIn("no signature", message.lower())

    def test_image_signed_with_another_key_is_denied(self):
        response = self.signet.review(pod_review([self.image("enforce/otherkey", self.d_otherkey)]))
        self.assertFalse(response["allowed"])
        self.assertIn("no signature verifies with the key", response["status"]["message"])

    def test_signature_naming_another_digest_is_denied(self):
        response = self.signet.review(pod_review([self.image("enforce/wrongclaim", self.d_wrongclaim)]))
        self.assertFalse(response["allowed"])
        self.assertIn("sha256:" + "ab" * 32, response["status"]["message"])

    def test_ed25519_signature_is_allowed(self):
        response = self.signet.review(pod_review([self.image("ed/signed", self.d_ed)]))
        self.assertTrue(response["allowed"], response)

    def test_one_bad_image_among_good_ones_denies_the_pod(self):
        response = self.signet.review(pod_review([self.image("enforce/signed", self.d_signed),
                                                  self.image("enforce/unsigned", self.d_unsigned)]))
        self.assertFalse(response["allowed"])
        self.assertIn("enforce/unsigned", response["status"]["message"])
        self.assertNotIn("enforce/signed:", response["status"]["message"])

    def test_mutate_pins_a_verified_tag_to_its_digest(self):
        tag = self.image("enforce/signed")
        response = self.signet.review(pod_review([tag]), "/mutate")
        self.assertTrue(response["allowed"], response)
        self.assertEqual(response["patchType"], "JSONPatch")
        patch = json.loads(base64.b64decode(response["patch"]))
        self.assertEqual(patch, [{"op": "replace", "path": "/spec/containers/0/image",
                                  "value": tag + "@" + self.d_signed}])
        # The pinned object then passes /validate.
        self.assertTrue(self.signet.review(pod_review([tag + "@" + self.d_signed]))["allowed"])

    def test_mutate_denies_an_unsigned_tag_under_enforce(self):
        response = self.signet.review(pod_review([self.image("enforce/unsigned")]), "/mutate")
        self.assertFalse(response["allowed"])
        self.assertNotIn("patch", response)

    def test_tag_not_pinned_is_denied_at_validate(self):
        response = self.signet.review(pod_review([self.image("enforce/signed")]))
        self.assertFalse(response["allowed"])
        self.assertIn("not pinned to a digest", response["status"]["message"])

    def test_audit_policy_allows_with_a_warning(self):
        response = self.signet.review(pod_review([self.image("audit/unsigned", self.d_audit)]))
        self.assertTrue(response["allowed"])
        self.assertEqual(len(response["warnings"]), 1)
        self.assertLessEqual(len(response["warnings"][0]), 120)
        self.assertIn("audit-signed", response["warnings"][0])
        self.assertTrue(response.get("auditAnnotations"))

    def test_missing_transparency_log_entry_is_denied_by_default(self):
        response = self.signet.review(pod_review([self.image("tlog/signed", self.d_tlog)]))
        self.assertFalse(response["allowed"])
        message = response["status"]["message"]
        self.assertIn("transparency log", message)
        self.assertIn("ignoreTlog", message)

    def test_hanging_registry_is_denied_within_the_deadline(self):
        started = time.monotonic()
        response = self.signet.review(pod_review([f"{self.reg_hang}/app:v1@sha256:" + "cd" * 32]))
        elapsed = time.monotonic() - started
        self.assertFalse(response["allowed"])
        self.assertIn("timed out", response["status"]["message"])
        self.assertLess(elapsed, DEADLINE_SECONDS + 2)

    def test_stopped_registry_is_denied_under_enforce(self):
        image = self.image("app/signed", self.d_reg2, reg=self.reg2)
        self.assertTrue(self.signet.review(pod_review([image]))["allowed"])
        subprocess.run([PYTHON, os.path.join(SUPPORT, "registry.py"), "stop", os.path.join(self.work, "registry2")],
                       check=True)
        # The verdict made while the registry was up is reused; an image never verified needs the registry.
        self.assertTrue(self.signet.review(pod_review([image], uid="cached"))["allowed"])
        started = time.monotonic()
        never_verified = self.image("app/other", "sha256:" + "ab" * 32, reg=self.reg2)
        response = self.signet.review(pod_review([never_verified], uid="after-stop"))
        self.assertFalse(response["allowed"])
        self.assertLess(time.monotonic() - started, DEADLINE_SECONDS + 2)
        self.assertIn(self.reg2, response["status"]["message"])

    def test_delete_is_allowed_without_verification(self):
        review = pod_review([self.image("enforce/unsigned", self.d_unsigned)], operation="DELETE")
        self.assertTrue(self.signet.review(review)["allowed"])

    # --- HTTP ------------------------------------------------------------------------------------------

    def test_health_readiness_and_unknown_paths(self):
        self.assertEqual(self.signet.get("/healthz")[0], 200)
        self.assertEqual(self.signet.get("/readyz")[0], 200)
        self.assertEqual(self.signet.get("/nope")[0], 404)
        self.assertEqual(self.signet.get("/validate")[0], 405)

    def test_malformed_review_is_400_with_the_reason(self):
        status, body = self.signet.request("POST", "/validate", "{\"apiVersion\": 3")
        self.assertEqual(status, 400)
        self.assertIn("not valid JSON", body)
        status, body = self.signet.request("POST", "/validate", json.dumps({"apiVersion": "admission.k8s.io/v1",
                                                                             "kind": "AdmissionReview",
                                                                             "request": {"operation": "CREATE"}}))
        self.assertEqual(status, 400)
        self.assertIn("request.uid is missing", body)

    def test_oversized_body_is_413(self):
        status, body = self.signet.request("POST", "/validate", "x" * (BODY_LIMIT + 1))
        self.assertEqual(status, 413)

    def test_keep_alive_serves_several_reviews_on_one_connection(self):
        conn = self.signet.connection()
        for i in range(3):
            status, body = self.signet.request("POST", "/validate", json.dumps(
                pod_review([self.image("enforce/signed", self.d_signed)], uid=f"ka-{i}")), conn=conn)
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["response"]["uid"], f"ka-{i}")
        conn.close()

    def test_concurrent_reviews_on_many_connections_are_each_answered_right(self):
        signed = self.image("enforce/signed", self.d_signed)
        unsigned = self.image("enforce/unsigned", self.d_unsigned)
        failures = []

        def client(n):
            conn = self.signet.connection()
            try:
                for i in range(4):
                    good = (n + i) % 2 == 0
                    uid = f"c{n}-{i}"
                    status, body = self.signet.request(
                        "POST", "/validate", json.dumps(pod_review([signed if good else unsigned], uid=uid)), conn=conn)
                    response = json.loads(body)["response"]
                    if status != 200 or response["uid"] != uid or response["allowed"] != good:
                        failures.append((uid, status, body[:200]))
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append((n, repr(e)))
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(failures, [])

    def test_herd_of_admissions_for_a_new_image_makes_one_fetch_chain(self):
        image = self.image("enforce/herd", self.d_herd)
        answers = []

        def admit(n):
            answers.append(self.signet.review(pod_review([image], uid=f"herd-{n}"))["allowed"])

        threads = [threading.Thread(target=admit, args=(n,)) for n in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(answers, [True] * 200)
        # The registry's access log: each step of the chain (signature manifest, its layer) fetched once.
        with open(os.path.join(self.work, "registry", "registry.log")) as f:
            fetched = [line.split('"')[1] for line in f
                       if "/enforce/herd/" in line and '"signet"' in line and '" 200 ' in line]
        sig = "sha256-" + self.d_herd.split(":")[1] + ".sig"
        self.assertEqual(len(fetched), 2, fetched)
        self.assertIn(f"/v2/enforce/herd/manifests/{sig}", fetched[0])
        self.assertIn("/v2/enforce/herd/blobs/sha256:", fetched[1])

    def test_tls_below_1_2_is_refused(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.signet.cert)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            with socket.create_connection(("127.0.0.1", self.signet.port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1"):
                    pass

    def test_metrics_are_valid_prometheus_text(self):
        self.signet.review(pod_review([self.image("enforce/signed", self.d_signed)], uid="metrics"))
        status, text = self.signet.get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn('signet_admission_requests_total{operation="CREATE",kind="Pod",allowed="true"}', text)
        self.assertIn("signet_admission_duration_seconds_bucket", text)
        self.assertIn('signet_policy_results_total{policy="enforce-signed",rule="verify-signature",result="pass"', text)
        self.signet.review(pod_review([self.image("enforce/signed", self.d_signed)], uid="metrics-again"))
        status, text = self.signet.get("/metrics")
        self.assertIn('signet_verifications_total{type="signature",result="pass",cache="hit"}', text)
        self.assertRegex(text, r'signet_cache_entries\{cache="verdict"\} [1-9]')
        self.assertRegex(text, r'signet_cache_hits_total\{cache="verdict"\} [1-9]')
        self.assertIn('signet_cache_misses_total{cache="tag"}', text)
        self.assertIn('signet_cache_entries{cache="content"}', text)
        self.assertIn(f'signet_registry_requests_total{{registry="{self.reg}",method="GET",code="200"}}', text)
        self.assertIn(f'signet_registry_request_duration_seconds_count{{registry="{self.reg}"}}', text)
        if shutil.which("promtool"):
            check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_zz_serving_certificate_is_reloaded_when_it_changes(self):
        def served_cn():
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with socket.create_connection(("127.0.0.1", self.signet.port), timeout=5) as raw:
                with ctx.wrap_socket(raw) as tls:
                    der = tls.getpeercert(binary_form=True)
            text = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"], input=der,
                                  capture_output=True, check=True).stdout.decode()
            return text.strip()

        self.assertIn("signet-e2e", served_cn())
        self.signet.make_cert("signet-rotated")
        for _ in range(60):
            if "signet-rotated" in served_cn():
                break
            time.sleep(0.1)
        self.assertIn("signet-rotated", served_cn())
        self.assertEqual(self.signet.get("/healthz")[0], 200)

    def test_zz_policy_edit_is_picked_up_and_a_broken_one_keeps_the_last_good_set(self):
        audit = os.path.join(self.policies, "audit.yaml")
        good = open(audit).read()
        image = self.image("audit/unsigned", self.d_audit)
        try:
            with open(audit, "w") as f:
                f.write(good.replace("validationFailureAction: Audit", "validationFailureAction: Enforce"))
            self.assertTrue(self.wait_for(lambda: not self.signet.review(pod_review([image]))["allowed"]))
            with open(audit, "w") as f:
                f.write(good.replace("imageReferences:", "imageReferencez:"))
            time.sleep(3)  # two reload periods
            response = self.signet.review(pod_review([image]))
            self.assertFalse(response["allowed"], "a broken edit must keep the last good set (Enforce)")
        finally:
            with open(audit, "w") as f:
                f.write(good)
        self.assertTrue(self.wait_for(lambda: self.signet.review(pod_review([image]))["allowed"]))

    def test_zz_image_policies_signet_does_not_enforce_are_refused_everywhere(self):
        documents = {
            "ivpol.yaml": ("ImageValidatingPolicy", IMAGE_VALIDATING_POLICY),
            "nivpol.yaml": ("NamespacedImageValidatingPolicy", IMAGE_VALIDATING_POLICY.replace(
                "kind: ImageValidatingPolicy\nmetadata:\n", "kind: NamespacedImageValidatingPolicy\nmetadata:\n"
                "  namespace: team\n")),
            "cip.yaml": ("ClusterImagePolicy", POLICY_CONTROLLER_POLICY),
            "widget.yaml": ("Widget", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"),
        }
        for name, (kind, text) in documents.items():
            with self.subTest(name):
                folder = os.path.join(self.work, "unenforced-" + name.split(".")[0])
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, name), "w") as f:
                    f.write(text)
                reason = "is a kind signet does not know" if kind == "Widget" else "is not enforced by signet yet"
                check = self.cli("policy", "check", folder)
                self.assertEqual(check.returncode, 2, check.stdout)
                self.assertRegex(check.stdout, "refused   .*%s:\\d+: document 1: kind: .*%s .*%s" % (name, kind, reason))
                self.assertIn("0 accepted, 1 refused", check.stdout)
                lenient = self.cli("policy", "check", "--allow-skip", folder)
                self.assertEqual(lenient.returncode, 0, lenient.stdout)
                self.assertRegex(lenient.stdout, "skipped   .*%s:\\d+: document 1: kind: .*%s" % (name, kind))
                self.assertIn("0 accepted, 0 refused, 1 skipped", lenient.stdout)
                for command in (("admit", "--policy", folder, "-"),
                                ("verify", "--policy", folder, self.image("enforce/signed"))):
                    run = self.cli(*command, input=json.dumps(pod_review([self.image("enforce/signed")])))
                    self.assertEqual(run.returncode, 2, command[0] + ": " + run.stdout + run.stderr)
                    self.assertIn(reason, run.stderr)
                serve = subprocess.run(
                    [SIGNET, "serve", "--policy", folder, "--tls-cert", self.signet.cert, "--tls-key", self.signet.key,
                     "--listen", "127.0.0.1:%d" % free_port()], capture_output=True, text=True, timeout=30)
                self.assertEqual(serve.returncode, 2, serve.stdout + serve.stderr)
                self.assertIn(reason, serve.stdout + serve.stderr)
                self.assertIn("refusing to start", serve.stdout + serve.stderr)

        # Added to the folder of a running signet: the reload is refused and the last good set stays in force.
        unsigned = self.image("enforce/unsigned", self.d_unsigned)
        self.assertFalse(self.signet.review(pod_review([unsigned]))["allowed"])
        added = os.path.join(self.policies, "zz-ivpol.yaml")
        with open(added, "w") as f:
            f.write(IMAGE_VALIDATING_POLICY)
        try:
            self.assertTrue(self.wait_for(lambda: 'signet_policies{state="refused"} 1' in self.signet.get("/metrics")[1]))
            self.assertIn('signet_policies{state="active"} 5', self.signet.get("/metrics")[1])
            self.assertFalse(self.signet.review(pod_review([unsigned]))["allowed"])
            self.signet.log.flush()
            with open(self.signet.log.name) as f:
                log = f.read()
            self.assertIn("ImageValidatingPolicy ivpol-sample is not enforced by signet yet", log)
            self.assertIn("policy reload refused; keeping the previous set", log)
        finally:
            os.remove(added)
        self.assertTrue(self.wait_for(lambda: 'signet_policies{state="refused"} 0' in self.signet.get("/metrics")[1]))

    def wait_for(self, condition, seconds=10):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if condition():
                return True
            time.sleep(0.2)
        return False

    # --- CLI -------------------------------------------------------------------------------------------

    def cli(self, *args, input=None):
        registry = ["--registry-ca", self.ca, "--registry-config", self.docker_config]
        return subprocess.run([SIGNET, *args[:1], *registry, *args[1:]] if args[0] in ("verify", "admit")
                              else [SIGNET, *args], input=input, capture_output=True, text=True, timeout=60)

    def test_cli_verify_exit_codes_and_table(self):
        ok = self.cli("verify", "--policy", self.policies, self.image("enforce/signed"))
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("pass", ok.stdout)
        self.assertIn(self.d_signed, ok.stdout)
        bad = self.cli("verify", "--policy", self.policies, self.image("enforce/signed"), self.image("enforce/unsigned"))
        self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
        self.assertIn("fail", bad.stdout)
        usage = self.cli("verify", "--policy", self.policies)
        self.assertEqual(usage.returncode, 2)

    def test_cli_admit_answers_like_the_server(self):
        allowed = self.cli("admit", "--policy", self.policies, "-",
                           input=json.dumps(pod_review([self.image("enforce/signed", self.d_signed)])))
        self.assertEqual(allowed.returncode, 0, allowed.stderr)
        self.assertTrue(json.loads(allowed.stdout)["response"]["allowed"])
        denied = self.cli("admit", "--policy", self.policies, "-",
                          input=json.dumps(pod_review([self.image("enforce/unsigned", self.d_unsigned)])))
        self.assertEqual(denied.returncode, 1)
        self.assertFalse(json.loads(denied.stdout)["response"]["allowed"])
        mutated = self.cli("admit", "--policy", self.policies, "--mutate", "-",
                           input=json.dumps(pod_review([self.image("enforce/signed")])))
        self.assertEqual(mutated.returncode, 0, mutated.stderr)
        self.assertIn("patch", json.loads(mutated.stdout)["response"])
        malformed = self.cli("admit", "--policy", self.policies, "-", input="{}")
        self.assertEqual(malformed.returncode, 2)

    def test_cli_policy_check_names_file_line_and_field(self):
        good = self.cli("policy", "check", self.policies)
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        self.assertIn("5 accepted, 0 refused", good.stdout)
        bad_dir = os.path.join(self.work, "bad-policies")
        os.makedirs(bad_dir, exist_ok=True)
        with open(os.path.join(bad_dir, "bad.yaml"), "w") as f:
            f.write(policy_yaml("bad", "Enforce", ["*"], self.pub_a).replace("publicKeys:", "kms: gcpkms://x\n                    publicKeys:"))
        bad = self.cli("policy", "check", bad_dir)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("bad.yaml", bad.stdout)
        self.assertIn("kms", bad.stdout)


# Kyverno's ImageValidatingPolicy as its documentation writes it, and a sigstore policy-controller policy:
# image policies signet does not enforce yet, so it must refuse them.
IMAGE_VALIDATING_POLICY = """apiVersion: policies.kyverno.io/v1beta1
kind: ImageValidatingPolicy
metadata:
  name: ivpol-sample
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["pods"]
  matchImageReferences:
  - glob: "*"
  attestors:
  - name: cosign
    cosign:
      keyless:
        identities:
        - subjectRegExp: ".*"
          issuerRegExp: ".*"
  validations:
  - expression: images.containers.map(image, verifyImageSignatures(image, [attestors.cosign])).all(e, e > 0)
    message: failed the image signature verification
"""

POLICY_CONTROLLER_POLICY = """apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: image-policy
spec:
  images:
  - glob: "**"
  authorities:
  - keyless:
      url: https://fulcio.sigstore.dev
      identities:
      - issuer: https://accounts.google.com
        subject: signer@example.com
"""

ATTESTATION_POLICY = """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: attested-builds
spec:
  validationFailureAction: Enforce
  rules:
    - name: provenance-and-scan
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["{reg}/attest/*"]
          attestations:
            - type: https://slsa.dev/provenance/v0.2
              attestors:
                - count: 1
                  entries:
                    - keys:
                        publicKeys: |-
{builder}
                        rekor: {{ignoreTlog: true}}
                    - keys:
                        publicKeys: |-
{other}
                        rekor: {{ignoreTlog: true}}
              conditions:
                - all:
                    - key: "{{{{ builder.id }}}}"
                      operator: Equals
                      value: "https://ci.example/builder@v1"
                    - key: "{{{{ buildType }}}}"
                      operator: AnyIn
                      value: ["https://ci.example/build/v1", "https://ci.example/build/v2"]
            - type: https://cosign.sigstore.dev/attestation/vuln/v1
              attestors:
                - entries:
                    - keys:
                        publicKeys: |-
{builder}
                        rekor: {{ignoreTlog: true}}
              conditions:
                - all:
                    - key: "{{{{ length(scanner.result.vulnerabilities[?severity == 'CRITICAL']) }}}}"
                      operator: LessThan
                      value: 1
                      message: "the image has critical vulnerabilities"
        - imageReferences: ["{reg}/sbom/*"]
          attestations:
            - type: https://spdx.dev/Document
              attestors:
                - entries:
                    - keys:
                        publicKeys: |-
{builder}
                        rekor: {{ignoreTlog: true}}
              conditions:
                - any:
                    - key: "{{{{ spdxVersion }}}}"
                      operator: Equals
                      value: SPDX-2.3
"""

TEKTON_POLICY = """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: signed-task-bundles
spec:
  validationFailureAction: Enforce
  rules:
    - name: check-bundle
      match:
        any:
          - resources:
              kinds: [TaskRun]
      imageExtractors:
        TaskRun:
          - name: taskruns
            path: /spec/taskRef
            value: bundle
            key: name
            jmesPath: "trim_prefix(@, 'oci://')"
      verifyImages:
        - imageReferences: ["{reg}/*"]
          mutateDigest: false
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
{builder}
                    rekor: {{ignoreTlog: true}}
"""

SLSA = "https://slsa.dev/provenance/v0.2"
VULN = "https://cosign.sigstore.dev/attestation/vuln/v1"
SPDX = "https://spdx.dev/Document"


class Attestations(unittest.TestCase):
    """In-toto attestations signed with cosign's DSSE layout, checked with Kyverno's conditions."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-e2e-att-")
        w = cls.work
        port = free_port()
        cls.reg = f"127.0.0.1:{port}"
        support("registry.py", "start", os.path.join(w, "registry"), port)
        cls.builder, builder_pub = make_key(os.path.join(w, "builder"), "p256")
        cls.other, other_pub = make_key(os.path.join(w, "other"), "p256")
        cls.stranger, _ = make_key(os.path.join(w, "stranger"), "p256")
        indent = lambda pem: "\n".join("                          " + l for l in pem.strip().splitlines())
        policies = os.path.join(w, "policies")
        os.makedirs(policies)
        with open(os.path.join(policies, "attest.yaml"), "w") as f:
            f.write(ATTESTATION_POLICY.format(reg=cls.reg, builder=indent(builder_pub), other=indent(other_pub)))
        with open(os.path.join(policies, "tekton.yaml"), "w") as f:
            f.write(TEKTON_POLICY.format(reg=cls.reg, builder="\n".join(
                "                      " + l for l in builder_pub.strip().splitlines())))
        cls.signet = Signet(w, policies, os.path.join(w, "none.crt"), os.path.join(w, "none.json"), [cls.reg],
                            with_registry_files=False)

    @classmethod
    def tearDownClass(cls):
        cls.signet.stop()
        subprocess.run([PYTHON, os.path.join(SUPPORT, "registry.py"), "stop", os.path.join(cls.work, "registry")])
        shutil.rmtree(cls.work, ignore_errors=True)

    def push(self, repo):
        digest = support("push_image.py", f"{self.reg}/{repo}:v1", "--text", repo + os.urandom(4).hex())
        return f"{self.reg}/{repo}:v1@{digest}", repo, digest

    def attest(self, repo, digest, type_uri, predicate, key=None, *extra):
        path = os.path.join(self.work, "predicate.json")
        with open(path, "w") as f:
            json.dump(predicate, f)
        support("cosign_sign.py", self.reg, repo, digest, key or self.builder, "--plain-http", "--attest", path,
                "--type", type_uri, *extra)

    def provenance(self, builder="https://ci.example/builder@v1", build_type="https://ci.example/build/v1"):
        return {"builder": {"id": builder}, "buildType": build_type, "invocation": {}}

    def scan(self, *severities):
        return {"scanner": {"uri": "pkg:github/aquasecurity/trivy", "version": "0.50.0",
                            "result": {"vulnerabilities": [{"id": f"CVE-{i}", "severity": s}
                                                           for i, s in enumerate(severities)]}},
                "metadata": {"scanStartedOn": "2026-11-25T00:00:00Z", "scanFinishedOn": "2026-11-25T00:01:00Z"}}

    def review(self, image):
        return self.signet.review(pod_review([image], uid="att-" + os.urandom(4).hex()))

    def test_provenance_and_scan_that_meet_the_conditions_are_allowed(self):
        image, repo, digest = self.push("attest/good")
        self.attest(repo, digest, SLSA, self.provenance())
        self.attest(repo, digest, VULN, self.scan("LOW", "HIGH"))
        response = self.review(image)
        self.assertTrue(response["allowed"], response.get("status"))

    def test_a_condition_that_fails_is_denied_naming_it_and_the_value_found(self):
        image, repo, digest = self.push("attest/otherbuilder")
        self.attest(repo, digest, SLSA, self.provenance(builder="https://evil.example/builder"))
        self.attest(repo, digest, VULN, self.scan())
        response = self.review(image)
        self.assertFalse(response["allowed"])
        message = response["status"]["message"]
        self.assertIn("https://evil.example/builder", message)
        self.assertIn("Equals", message)

    def test_a_condition_message_is_used_when_the_policy_gives_one(self):
        image, repo, digest = self.push("attest/critical")
        self.attest(repo, digest, SLSA, self.provenance())
        self.attest(repo, digest, VULN, self.scan("CRITICAL"))
        response = self.review(image)
        self.assertFalse(response["allowed"])
        self.assertIn("the image has critical vulnerabilities", response["status"]["message"])

    def test_a_missing_attestation_is_denied(self):
        image, repo, digest = self.push("attest/none")
        response = self.review(image)
        self.assertFalse(response["allowed"])
        self.assertIn("no attestations found", response["status"]["message"])
        image, repo, digest = self.push("attest/onlyscan")
        self.attest(repo, digest, VULN, self.scan())
        response = self.review(image)
        self.assertFalse(response["allowed"])
        self.assertIn("no attestation of type " + SLSA, response["status"]["message"])

    def test_an_attestation_about_another_digest_is_denied(self):
        image, repo, digest = self.push("attest/othersubject")
        self.attest(repo, digest, SLSA, self.provenance(), None, "--claim-digest", "sha256:" + "ab" * 32)
        self.attest(repo, digest, VULN, self.scan())
        response = self.review(image)
        self.assertFalse(response["allowed"])
        self.assertIn("subject does not name", response["status"]["message"])

    def test_an_envelope_whose_signature_fails_is_denied(self):
        image, repo, digest = self.push("attest/corrupt")
        self.attest(repo, digest, SLSA, self.provenance(), None, "--corrupt")
        self.attest(repo, digest, VULN, self.scan())
        self.assertFalse(self.review(image)["allowed"])

    def test_an_attestation_signed_by_an_unknown_key_is_denied(self):
        image, repo, digest = self.push("attest/stranger")
        self.attest(repo, digest, SLSA, self.provenance(), self.stranger)
        self.attest(repo, digest, VULN, self.scan())
        response = self.review(image)
        self.assertFalse(response["allowed"])
        self.assertIn("0 of 1 required attestors verified", response["status"]["message"])

    def test_count_lets_one_of_two_attestors_suffice(self):
        image, repo, digest = self.push("attest/byother")
        self.attest(repo, digest, SLSA, self.provenance(build_type="https://ci.example/build/v2"), self.other)
        self.attest(repo, digest, VULN, self.scan(), self.builder)
        self.assertTrue(self.review(image)["allowed"])

    def test_a_tekton_bundle_found_by_image_extractors_is_verified(self):
        signed, repo, digest = self.push("tasks/build")
        support("cosign_sign.py", self.reg, repo, digest, self.builder, "--plain-http")
        unsigned, _, _ = self.push("tasks/unsigned")

        def task_run(bundle):
            review = pod_review([], uid="tr-" + os.urandom(4).hex(), kind="TaskRun")
            review["request"]["kind"] = {"group": "tekton.dev", "version": "v1beta1", "kind": "TaskRun"}
            review["request"]["object"] = {"apiVersion": "tekton.dev/v1beta1", "kind": "TaskRun",
                                           "metadata": {"name": "run", "namespace": "default"},
                                           "spec": {"taskRef": {"name": "build", "bundle": "oci://" + bundle}}}
            return self.signet.review(review)

        self.assertTrue(task_run(signed)["allowed"])
        response = task_run(unsigned)
        self.assertFalse(response["allowed"])
        self.assertIn("tasks/unsigned", response["status"]["message"])

    def test_an_sbom_is_checked_with_its_own_fields(self):
        image, repo, digest = self.push("sbom/app")
        self.attest(repo, digest, SPDX, {"spdxVersion": "SPDX-2.3", "name": "app", "packages": []})
        self.assertTrue(self.review(image)["allowed"])
        image, repo, digest = self.push("sbom/old")
        self.attest(repo, digest, SPDX, {"spdxVersion": "SPDX-2.2", "name": "app"})
        response = self.review(image)
        self.assertFalse(response["allowed"])
        self.assertIn("SPDX-2.2", response["status"]["message"])


class KyvernoPolicies(unittest.TestCase):
    """`signet policy check` over Kyverno's own verifyImages policies: none may crash it, and every refusal
    names a feature signet does not support yet."""

    VECTORS = os.path.join(HERE, "..", "..", "..", "shared", "vectors")

    def test_policy_check_over_kyverno_policies(self):
        folders = [os.path.join(self.VECTORS, name) for name in ("kyverno-policies", "kyverno-library")]
        if not all(os.path.isdir(f) for f in folders):
            self.skipTest("Kyverno policy vectors not present (../shared/vectors); skipping")
        accepted = refused = 0
        for folder in folders:
            for name in sorted(os.listdir(folder)):
                if not name.endswith((".yaml", ".yml")):
                    continue
                run = subprocess.run([SIGNET, "policy", "check", os.path.join(folder, name)], capture_output=True,
                                     text=True, timeout=30)
                self.assertIn(run.returncode, (0, 2), f"{name}: exit {run.returncode}\n{run.stderr}")
                for line in run.stdout.splitlines():
                    if line.startswith("refused"):
                        # A feature to come, what today's Kyverno refuses too (older library policies), what
                        # signet refuses by design (an attestation any Fulcio certificate could sign), or a
                        # Secret or ConfigMap, which a policy check without the cluster cannot read.
                        self.assertTrue(any(reason in line for reason in (
                            "not supported", "Kyverno refuses this too", "signet refuses by design",
                            "which needs signet serve --kube-secrets")), line)
                accepted += run.returncode == 0
                refused += run.returncode == 2
        print(f"\nsignet policy check: {accepted} Kyverno policy files accepted, {refused} refused", file=sys.stderr)
        self.assertGreater(accepted, 0)


class Shutdown(unittest.TestCase):
    def test_sigterm_answers_requests_in_flight_then_exits(self):
        work = tempfile.mkdtemp(prefix="signet-e2e-term-")
        try:
            hanging = HangingServer()
            reg = f"127.0.0.1:{hanging.port}"
            _, pub = make_key(os.path.join(work, "k"), "p256")
            policies = os.path.join(work, "policies")
            os.makedirs(policies)
            with open(os.path.join(policies, "p.yaml"), "w") as f:
                f.write(policy_yaml("hang", "Enforce", [f"{reg}/*"], pub))
            empty_config = os.path.join(work, "config.json")
            with open(empty_config, "w") as f:
                f.write("{}")
            server = Signet(work, policies, "/etc/ssl/certs/ca-certificates.crt", empty_config, [reg])
            result = {}
            thread = threading.Thread(target=lambda: result.update(
                response=server.review(pod_review([f"{reg}/app:v1@sha256:" + "cd" * 32]))))
            thread.start()
            time.sleep(0.5)  # the review is now waiting on the hanging registry
            server.proc.send_signal(signal.SIGTERM)
            thread.join(timeout=DEADLINE_SECONDS + 5)
            self.assertIn("response", result, "the request in flight must still be answered")
            self.assertFalse(result["response"]["allowed"])
            self.assertEqual(server.proc.wait(timeout=10), 0)
        finally:
            shutil.rmtree(work, ignore_errors=True)


MANIFEST_POLICY = """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: signed-yaml
spec:
  background: false
  rules:
  - name: one-signer
    match:
      any:
      - resources:
          kinds: [ConfigMap, Deployment]
    validate:
      failureAction: Enforce
      manifests:
        ignoreFields:
        - objects:
          - kind: ConfigMap
          fields:
          - data.build-id
        attestors:
        - entries:
          - keys:
              publicKeys: |-
{alice}
  - name: two-signers
    match:
      any:
      - resources:
          kinds: [Secret]
    validate:
      failureAction: Enforce
      manifests:
        attestors:
        - count: 2
          entries:
          - keys:
              publicKeys: |-
{alice}
          - keys:
              publicKeys: |-
{bob}
"""


class SignedManifests(unittest.TestCase):
    """validate.manifests: resources signed in their annotations (k8s-manifest-sigstore's format) by an
    independent signer (test/support/sign_manifest.py) and by `signet sign-manifest`."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-e2e-manifests-")
        w = cls.work
        cls.alice, alice_pub = make_key(os.path.join(w, "alice"), "p256")
        cls.bob, bob_pub = make_key(os.path.join(w, "bob"), "p256")
        cls.mallory, _ = make_key(os.path.join(w, "mallory"), "p256")
        indent = lambda pem: "\n".join("                " + l for l in pem.strip().splitlines())
        cls.policies = os.path.join(w, "policies")
        os.makedirs(cls.policies)
        with open(os.path.join(cls.policies, "manifests.yaml"), "w") as f:
            f.write(MANIFEST_POLICY.format(alice=indent(alice_pub), bob=indent(bob_pub)))
        cls.signet = Signet(w, cls.policies, os.path.join(w, "none.crt"), os.path.join(w, "none.json"), [],
                            with_registry_files=False)

    @classmethod
    def tearDownClass(cls):
        cls.signet.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def config_map(self, **data):
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"},
                "data": data or {"mode": "fast", "build-id": "1"}}

    def sign(self, obj, key, *extra):
        path = os.path.join(self.work, "object.json")
        with open(path, "w") as f:
            json.dump(obj, f)
        return json.loads(support("sign_manifest.py", path, key, *extra))

    def review(self, obj, operation="CREATE", dry_run=False):
        group, _, version = obj["apiVersion"].rpartition("/")
        request = {"uid": "m-" + os.urandom(4).hex(), "kind": {"group": group, "version": version, "kind": obj["kind"]},
                   "resource": {"group": group, "version": version, "resource": obj["kind"].lower() + "s"},
                   "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace", "default"),
                   "operation": operation, "userInfo": {"username": "e2e"}, "object": obj, "dryRun": dry_run}
        return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}

    def validate(self, obj, **kwargs):
        return self.signet.review(self.review(obj, **kwargs))

    def test_a_manifest_signed_by_an_independent_signer_is_allowed(self):
        for extra in ([], ["--tar"]):
            response = self.validate(self.sign(self.config_map(), self.alice, *extra))
            self.assertTrue(response["allowed"], (extra, response.get("status")))

    def test_a_changed_field_is_denied_naming_it(self):
        signed = self.sign(self.config_map(), self.alice)
        signed["data"]["mode"] = "slow"
        response = self.validate(signed)
        self.assertFalse(response["allowed"])
        self.assertIn("data.mode", response["status"]["message"])
        self.assertIn("resource ConfigMap/default/settings", response["status"]["message"])

    def test_an_ignored_field_and_what_the_api_server_adds_may_change(self):
        signed = self.sign(self.config_map(), self.alice)
        signed["data"]["build-id"] = "2"
        signed["metadata"].update({"uid": "u-1", "resourceVersion": "9", "creationTimestamp": "2024-01-01T00:00:00Z"})
        self.assertTrue(self.validate(signed)["allowed"])

    def test_no_signature_and_a_stranger_signature_are_denied(self):
        response = self.validate(self.config_map())
        self.assertFalse(response["allowed"])
        self.assertIn("no signature found", response["status"]["message"])
        self.assertFalse(self.validate(self.sign(self.config_map(), self.mallory))["allowed"])

    def test_two_signers_are_needed_when_count_is_two(self):
        secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token", "namespace": "default"},
                  "type": "Opaque", "data": {"t": "c2VjcmV0"}}
        once = self.sign(secret, self.alice)
        response = self.validate(once)
        self.assertFalse(response["allowed"])
        self.assertIn("1 of 2", response["status"]["message"])
        self.assertTrue(self.validate(self.sign(once, self.bob, "--index", "1"))["allowed"])

    def test_a_deployment_with_controller_defaults_is_allowed(self):
        deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                               "template": {"metadata": {"labels": {"app": "web"}},
                                            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}
        signed = self.sign(deployment, self.alice)
        signed["spec"].update({"progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
                               "strategy": {"type": "RollingUpdate"}})
        pod = signed["spec"]["template"]["spec"]
        pod.update({"dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                    "terminationGracePeriodSeconds": 30, "securityContext": {}})
        pod["containers"][0].update({"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                                     "terminationMessagePolicy": "File", "resources": {}})
        signed["status"] = {"replicas": 1}
        response = self.validate(signed)
        self.assertTrue(response["allowed"], response.get("status"))
        pod["containers"][0]["image"] = "evil:1"
        self.assertFalse(self.validate(signed)["allowed"])

    def test_dry_run_requests_are_allowed_without_verification(self):
        self.assertTrue(self.validate(self.config_map(), dry_run=True)["allowed"])

    def test_an_update_keeping_the_images_is_still_checked(self):
        signed = self.sign(self.config_map(), self.alice)
        signed["data"]["mode"] = "slow"
        self.assertFalse(self.validate(signed, operation="UPDATE")["allowed"])

    def test_signet_sign_manifest_and_verify_manifest(self):
        source = os.path.join(self.work, "cm.yaml")
        with open(source, "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n")
        signed = os.path.join(self.work, "cm.signed.yaml")
        subprocess.run([SIGNET, "sign-manifest", "--key", self.alice, "--output", signed, source], check=True)
        ok = subprocess.run([SIGNET, "verify-manifest", "--policy", self.policies, signed], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("pass  ConfigMap/default/settings", ok.stdout)
        tampered = os.path.join(self.work, "cm.bad.yaml")
        with open(signed) as f:
            text = f.read()
        with open(tampered, "w") as f:
            f.write(text.replace('mode: "fast"', 'mode: "slow"'))
        bad = subprocess.run([SIGNET, "verify-manifest", "--policy", self.policies, tampered], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("data.mode", bad.stdout)

    def test_kyverno_signed_services_through_signet_admit(self):
        import yaml
        folder = os.path.join(HERE, "..", "..", "..", "shared", "vectors", "kyverno-manifests", "test", "cli", "test",
                              "manifests", "verify-signature")
        if not os.path.isdir(folder):
            self.skipTest("Kyverno's vectors are not beside the repository")
        expected = {"test-service": 1, "test-service2": 1, "test-service3": 0}  # exit codes: two rules apply
        with open(os.path.join(folder, "resources.yaml")) as f:
            objects = list(yaml.safe_load_all(f))
        for obj in objects:
            obj["metadata"]["namespace"] = "default"
            out = subprocess.run([SIGNET, "admit", "--policy", os.path.join(folder, "policies.yaml"), "-"],
                                 input=json.dumps(self.review(obj)), capture_output=True, text=True)
            self.assertEqual(out.returncode, expected[obj["metadata"]["name"]], out.stdout + out.stderr)


if __name__ == "__main__":
    SIGNET = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
