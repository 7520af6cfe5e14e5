#!/usr/bin/python3
"""signet end to end with policies from the cluster: `signet serve --kube-policies` against the test API
server (test/support/kube_api_server.py: TLS, bearer token, list and watch as the real API server speaks
them), a real docker-registry holding a cosign-signed image, and AdmissionReviews over HTTPS. A
ClusterImagePolicy added, modified or deleted on the API server changes what signet allows within seconds.

usage: kube_test.py SIGNET_BINARY [unittest options]
"""
import json, os, shutil, subprocess, sys, tempfile, time, unittest, urllib.error, urllib.request, ssl

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_test as e2e  # noqa: E402  (its helpers: support scripts, keys, reviews, the HTTPS client)

TOKEN = "kube-e2e-token"
CHANGE_SECONDS = 5  # a policy change must be in force within this


def cluster_image_policy(name, refs, pem, action="Enforce"):
    verify = {"imageReferences": refs, "attestors": [{"entries": [{"keys": {
        "publicKeys": pem.strip(), "rekor": {"ignoreTlog": True}}}]}]}
    if action == "Audit":
        verify["mutateDigest"] = False  # Kyverno refuses digest mutation under Audit
    return {"apiVersion": "signet.dev/v1alpha1", "kind": "ClusterImagePolicy", "metadata": {"name": name},
            "spec": {"validationFailureAction": action, "rules": [{
                "name": "verify-signature", "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                "verifyImages": [verify]}]}}


class KubeSignet(e2e.Signet):
    """`signet serve --kube-policies` with a kubeconfig for the test API server (Signet's client methods)."""

    def __init__(self, work, kubeconfig, policy_dir, registry_args, extra_args=()):
        self.work = work
        self.port = e2e.free_port()
        self.cert, self.key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
        self.make_cert("signet-kube-e2e")
        self.log = open(os.path.join(work, "signet.log"), "w")
        self.proc = subprocess.Popen(
            [e2e.SIGNET, "serve", "--kube-policies", "--kubeconfig", kubeconfig, "--kube-policy-dir", policy_dir,
             "--tls-cert", self.cert, "--tls-key", self.key, "--listen", f"127.0.0.1:{self.port}",
             *registry_args, "--registry-config", os.path.join(work, "none.json"), *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("signet did not become ready; see " + self.log.name)


class KubeApi:
    """The test API server for a TestCase class: started with objects, read and changed through /_test/."""

    @classmethod
    def start_api_server(cls, items, token=TOKEN, extra_args=()):
        """The test API server holding `items`, and cls.kubeconfig reaching it with `token`."""
        w = cls.work
        cls.api_port = e2e.free_port()
        cls.api_dir = os.path.join(w, "api")
        fixtures = os.path.join(w, "fixtures.json")
        with open(fixtures, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": "1"}, "items": items}, f)
        cls.api_log = open(os.path.join(w, "api.log"), "w")
        cls.api = subprocess.Popen([e2e.PYTHON, os.path.join(e2e.SUPPORT, "kube_api_server.py"), cls.api_dir,
                                    str(cls.api_port), "--token", token, "--fixtures", fixtures, *extra_args],
                                   stdout=cls.api_log, stderr=subprocess.STDOUT)
        cls.kubeconfig = os.path.join(w, "kubeconfig")
        for _ in range(200):
            if os.path.exists(os.path.join(cls.api_dir, "ca.crt")) and cls.answers():
                break
            time.sleep(0.05)
        with open(cls.kubeconfig, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
current-context: e2e
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:{cls.api_port}
    certificate-authority: {cls.api_dir}/ca.crt
users:
- name: signet
  user:
    token: {token}
contexts:
- name: e2e
  context: {{cluster: test, user: signet}}
""")

    @classmethod
    def answers(cls):
        try:
            cls.control("GET", "/_test/requests")
            return True
        except OSError:
            return False

    @classmethod
    def control(cls, method, path, body=None):
        context = ssl.create_default_context(cafile=os.path.join(cls.api_dir, "ca.crt"))
        request = urllib.request.Request(f"https://127.0.0.1:{cls.api_port}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.read().decode()

    @classmethod
    def api_get(cls, path):
        """A GET as signet's service account would send it (the API itself, not /_test/)."""
        context = ssl.create_default_context(cafile=os.path.join(cls.api_dir, "ca.crt"))
        request = urllib.request.Request(f"https://127.0.0.1:{cls.api_port}{path}",
                                         headers={"Authorization": "Bearer " + TOKEN})
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.loads(response.read())

    @classmethod
    def stored(cls, path):
        try:
            return json.loads(cls.control("GET", "/_test/object?path=" + path))
        except urllib.error.HTTPError:
            return None

    @staticmethod
    def eventually(find, seconds=15):
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            found = find()
            if found:
                return found
            time.sleep(0.2)
        return None

    @classmethod
    def stop_api_server(cls):
        cls.api.terminate()
        cls.api.wait(timeout=10)
        cls.api_log.close()


class KubePolicies(KubeApi, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-kube-e2e-")
        w = cls.work
        with open(os.path.join(w, "none.json"), "w") as f:
            f.write("{}")
        cls.reg_port = e2e.free_port()
        cls.reg = f"127.0.0.1:{cls.reg_port}"
        e2e.support("registry.py", "start", os.path.join(w, "registry"), cls.reg_port)
        cls.key_a, cls.pub_a = e2e.make_key(os.path.join(w, "key-a"), "p256")
        cls.key_b, cls.pub_b = e2e.make_key(os.path.join(w, "key-b"), "p256")
        cls.digest = e2e.support("push_image.py", f"{cls.reg}/team/app:v1", "--text", "kube-" + os.urandom(4).hex())
        e2e.support("cosign_sign.py", cls.reg, "team/app", cls.digest, cls.key_a, "--plain-http")
        cls.image = f"{cls.reg}/team/app:v1@{cls.digest}"

        # The API server holds one policy at start: the image must be signed by key B (it is not).
        cls.start_api_server([cluster_image_policy("team-images", [f"{cls.reg}/team/*"], cls.pub_b)])
        cls.signet = KubeSignet(w, cls.kubeconfig, os.path.join(w, "policies"), ["--insecure-registry", cls.reg])

    @classmethod
    def tearDownClass(cls):
        cls.signet.stop()
        cls.stop_api_server()
        if os.path.isdir(os.path.join(cls.work, "registry")):
            subprocess.run([e2e.PYTHON, os.path.join(e2e.SUPPORT, "registry.py"), "stop",
                            os.path.join(cls.work, "registry")])
        if os.environ.get("SIGNET_E2E_KEEP"):
            print("kept", cls.work)
        else:
            shutil.rmtree(cls.work, ignore_errors=True)

    def allowed(self):
        return self.signet.review(e2e.pod_review([self.image]))["allowed"]

    def becomes(self, allowed):
        """True once the review's answer is `allowed`, within CHANGE_SECONDS."""
        ends = time.monotonic() + CHANGE_SECONDS
        while time.monotonic() < ends:
            if self.allowed() == allowed:
                return True
            time.sleep(0.1)
        return False

    def test_policy_added_modified_and_deleted_in_the_cluster_changes_admission_within_seconds(self):
        # At start: the listed policy wants key B; the image is signed with key A.
        response = self.signet.review(e2e.pod_review([self.image]))
        self.assertFalse(response["allowed"])
        self.assertIn("team-images", response["status"]["message"])

        # Modified to trust key A: the failure remembered for the old rule is not reused (the verdict cache
        # is keyed by the rule's fingerprint), so the pod is allowed within seconds.
        self.control("POST", "/_test/objects", cluster_image_policy("team-images", [f"{self.reg}/team/*"], self.pub_a))
        self.assertTrue(self.becomes(True), "the modified policy was not in force within %d s" % CHANGE_SECONDS)

        # A second policy added that wants key B: denied again, naming it.
        self.control("POST", "/_test/objects", cluster_image_policy("also-key-b", [f"{self.reg}/team/*"], self.pub_b))
        self.assertTrue(self.becomes(False), "the added policy was not in force within %d s" % CHANGE_SECONDS)
        self.assertIn("also-key-b", self.signet.review(e2e.pod_review([self.image]))["status"]["message"])

        # Deleted: allowed again.
        self.control("POST", "/_test/delete", {"apiVersion": "signet.dev/v1alpha1", "kind": "ClusterImagePolicy",
                                               "metadata": {"name": "also-key-b"}})
        self.assertTrue(self.becomes(True), "the deleted policy was still in force after %d s" % CHANGE_SECONDS)
        self.assertFalse(os.path.exists(os.path.join(self.work, "policies", "clusterimagepolicies.signet.dev",
                                                     "also-key-b.yaml")))
        requests = self.control("GET", "/_test/requests")
        self.assertIn("watch=true&allowWatchBookmarks=true", requests)

    def test_audit_failure_is_reported_as_a_policy_report_and_an_event(self):
        # An image signed with key A, and an Audit policy for its repository that wants key B.
        digest = e2e.support("push_image.py", f"{self.reg}/audited/app:v1", "--text", "audit-" + os.urandom(4).hex())
        e2e.support("cosign_sign.py", self.reg, "audited/app", digest, self.key_a, "--plain-http")
        image = f"{self.reg}/audited/app:v1@{digest}"
        self.control("POST", "/_test/objects",
                     cluster_image_policy("audit-key-b", [f"{self.reg}/audited/*"], self.pub_b, action="Audit"))
        work = os.path.join(self.work, "reporting")
        os.makedirs(work)
        with open(os.path.join(work, "none.json"), "w") as f:
            f.write("{}")
        signet = KubeSignet(work, self.kubeconfig, os.path.join(work, "policies"), ["--insecure-registry", self.reg],
                            ["--kube-reports", "--kube-events", "--leader-election-namespace", "signet-system",
                             "--leader-election-id", "signet-e2e"])
        try:
            review = e2e.pod_review([image])
            review["request"]["name"] = "audited-pod"
            review["request"]["object"]["metadata"]["name"] = "audited-pod"
            started = time.monotonic()
            response = signet.review(review)
            self.assertLess(time.monotonic() - started, 5)
            self.assertTrue(response["allowed"])  # Audit: admitted, with a warning
            self.assertTrue(any("audit-key-b" in w for w in response.get("warnings", [])), response)

            report_path = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/default/policyreports/signet-default"
            report = self.eventually(lambda: self.stored(report_path))
            self.assertIsNotNone(report, "no PolicyReport signet-default within 15 s; see " + signet.log.name)
            results = [r for r in report["results"] if r["policy"] == "audit-key-b"]
            self.assertEqual(len(results), 1, report)
            self.assertEqual(results[0]["result"], "fail")
            self.assertEqual(results[0]["rule"], "verify-signature")
            self.assertEqual(results[0]["source"], "signet")
            self.assertEqual(results[0]["resources"][0]["name"], "audited-pod")
            self.assertEqual(report["summary"]["fail"], 1)

            def event():
                for w in json.loads(self.control("GET", "/_test/writes")):
                    body = w["body"] if isinstance(w["body"], dict) else {}
                    if (body.get("kind") == "Event" and w["status"] == 201 and
                            body["involvedObject"]["name"] == "audited-pod"):
                        return body
                return None
            posted = self.eventually(event)
            self.assertIsNotNone(posted, "no Event for audited-pod")
            self.assertEqual((posted["type"], posted["reason"]), ("Warning", "PolicyViolation"))
            self.assertIn("audit-key-b", posted["message"])
            # The same failure again is the same Event, counted (as client-go's EventCorrelator does).
            for _ in range(2):
                self.assertTrue(signet.review(review)["allowed"])
            event_path = "/api/v1/namespaces/default/events/" + posted["metadata"]["name"]
            counted = self.eventually(lambda: (self.stored(event_path) or {}).get("count") == 3 or None)
            self.assertTrue(counted, self.stored(event_path))

            lease = self.stored("/apis/coordination.k8s.io/v1/namespaces/signet-system/leases/signet-e2e")
            self.assertTrue(lease and lease["spec"]["holderIdentity"], lease)
            metrics = signet.get("/metrics")[1]
            metrics = metrics.decode() if isinstance(metrics, bytes) else metrics
            self.assertIn('signet_reports_written_total{kind="PolicyReport"}', metrics)
            self.assertIn("signet_leader 1", metrics)
        finally:
            signet.stop()
            signet.log.close()
            self.control("POST", "/_test/delete", {"apiVersion": "signet.dev/v1alpha1", "kind": "ClusterImagePolicy",
                                                   "metadata": {"name": "audit-key-b"}})
        # Stopped: the Lease was released for another replica.
        self.assertEqual(self.stored("/apis/coordination.k8s.io/v1/namespaces/signet-system/leases/signet-e2e")
                         ["spec"]["holderIdentity"], "")

    def test_serve_outside_a_cluster_without_kubeconfig_says_what_to_give(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBERNETES_")}
        out = subprocess.run([e2e.SIGNET, "serve", "--kube-policies", "--tls-cert", self.signet.cert, "--tls-key",
                              self.signet.key, "--kube-policy-dir", os.path.join(self.work, "unused")],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn("--kubeconfig", out.stderr)

    def test_a_policy_folder_and_the_cluster_are_read_as_one_set(self):
        # The chart mounts its ConfigMap of policies and watches the CRDs: both are in force together.
        folder = os.path.join(self.work, "folder-policies")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "folder.yaml"), "w") as f:
            f.write(e2e.policy_yaml("folder-key-b", "Enforce", [f"{self.reg}/team/*"], self.pub_b))
        both_dir = os.path.join(self.work, "both")
        os.makedirs(both_dir, exist_ok=True)
        with open(os.path.join(both_dir, "none.json"), "w") as f:
            f.write("{}")
        both = KubeSignet(both_dir, self.kubeconfig, os.path.join(both_dir, "policies"), ["--insecure-registry", self.reg],
                          extra_args=("--policy", folder))
        try:
            response = both.review(e2e.pod_review([self.image]))
            self.assertFalse(response["allowed"])
            # Runs first (unittest's alphabetical order): the cluster still holds team-images wanting key B.
            self.assertIn("folder-key-b", response["status"]["message"])
            self.assertIn("team-images", response["status"]["message"])
        finally:
            both.stop()

def image_validating_policy(name, namespace=None):
    kind = "NamespacedImageValidatingPolicy" if namespace else "ImageValidatingPolicy"
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "policies.kyverno.io/v1beta1", "kind": kind, "metadata": metadata, "spec": {
        "matchImageReferences": [{"glob": "*"}],
        "attestors": [{"name": "cosign", "cosign": {"key": {"data": "-----BEGIN PUBLIC KEY-----..."}}}],
        "validations": [{"expression": "images.containers.map(i, verifyImageSignatures(i, [attestors.cosign]))"
                                       ".all(e, e > 0)"}]}}


class KyvernoCluster(KubeApi):
    """A test API server holding one Kyverno ClusterPolicy for images of a registry that refuses connections
    (every such pod is denied, naming it), and `signet serve --kube-kyverno-policies` against it."""

    UNREACHABLE = "127.0.0.1:1"
    API_ARGS = ()  # the test API server's flags

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-kube-kyverno-")
        cls.key, cls.pub = e2e.make_key(os.path.join(cls.work, "key"), "p256")
        policy = cluster_image_policy("kyverno-images", [f"{cls.UNREACHABLE}/*"], cls.pub)
        policy.update({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy"})
        cls.start_api_server([policy], extra_args=cls.API_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.stop_api_server()
        shutil.rmtree(cls.work, ignore_errors=True)

    def serve(self, name):
        work = os.path.join(self.work, name)
        os.makedirs(work)
        with open(os.path.join(work, "none.json"), "w") as f:
            f.write("{}")
        return KubeSignet(work, self.kubeconfig, os.path.join(work, "policies"),
                          ["--insecure-registry", self.UNREACHABLE], ["--kube-kyverno-policies"])

    def denied_by_kyverno_policy(self, signet):
        response = signet.review(e2e.pod_review([f"{self.UNREACHABLE}/app:v1"]))
        return not response["allowed"] and "kyverno-images" in response["status"]["message"]


class KyvernoImagePolicies(KyvernoCluster, unittest.TestCase):
    """`--kube-kyverno-policies` reads Kyverno's ImageValidatingPolicies too, wherever their CRD is served, only
    to refuse them: one in the cluster stops signet from starting, or keeps the last good set in force."""

    def metric(self, signet, text):
        body = signet.get("/metrics")[1]
        return text in (body.decode() if isinstance(body, bytes) else body)

    def test_an_image_validating_policy_added_keeps_the_last_good_set_and_one_present_stops_start_up(self):
        signet = self.serve("running")
        try:
            self.assertTrue(self.denied_by_kyverno_policy(signet))
            self.assertTrue(self.metric(signet, 'signet_policies{state="refused"} 0'))
            # Found at v1beta1 by discovery (the server serves no v1), listed, watched.
            self.assertIn("GET /apis/policies.kyverno.io/v1beta1 200", self.control("GET", "/_test/requests"))

            self.control("POST", "/_test/objects", image_validating_policy("ivpol-sample"))
            refused = self.eventually(lambda: self.metric(signet, 'signet_policies{state="refused"} 1'))
            self.assertTrue(refused, "the ImageValidatingPolicy was not refused; see " + signet.log.name)
            self.assertTrue(self.denied_by_kyverno_policy(signet), "the last good set must stay in force")
            signet.log.flush()
            with open(signet.log.name) as f:
                log = f.read()
            self.assertIn("ImageValidatingPolicy ivpol-sample is not enforced by signet yet", log)
            self.assertIn("policy reload refused; keeping the previous set", log)

            self.control("POST", "/_test/delete", image_validating_policy("ivpol-sample"))
            self.assertTrue(self.eventually(lambda: self.metric(signet, 'signet_policies{state="refused"} 0')))
        finally:
            signet.stop()
            signet.log.close()

        # Present when signet starts: it refuses to start, naming the policy.
        self.control("POST", "/_test/objects", image_validating_policy("team-ivpol", namespace="team"))
        try:
            work = os.path.join(self.work, "start-up")
            run = subprocess.run(
                [e2e.SIGNET, "serve", "--kube-kyverno-policies", "--kubeconfig", self.kubeconfig, "--kube-policy-dir",
                 os.path.join(work, "policies"), "--tls-cert", os.path.join(self.work, "running", "tls.crt"),
                 "--tls-key", os.path.join(self.work, "running", "tls.key"), "--listen", f"127.0.0.1:{e2e.free_port()}"],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
            self.assertIn("NamespacedImageValidatingPolicy team-ivpol is not enforced by signet yet",
                          run.stdout + run.stderr)
            self.assertIn("refusing to start", run.stdout + run.stderr)
        finally:
            self.control("POST", "/_test/delete", image_validating_policy("team-ivpol", namespace="team"))


class KyvernoWithoutImagePolicyCRDs(KyvernoCluster, unittest.TestCase):
    """A cluster whose Kyverno predates ImageValidatingPolicy: `--kube-kyverno-policies` still starts."""

    API_ARGS = ("--without-group", "policies.kyverno.io")

    def test_kyverno_policies_are_read_when_no_image_validating_policy_crd_is_served(self):
        signet = self.serve("no-crd")
        try:
            self.assertTrue(self.denied_by_kyverno_policy(signet))
            requests = self.control("GET", "/_test/requests")
            for version in ("v1", "v1beta1", "v1alpha1"):
                self.assertIn(f"GET /apis/policies.kyverno.io/{version} 404", requests)
        finally:
            signet.stop()
            signet.log.close()


if __name__ == "__main__":
    e2e.SIGNET = os.path.abspath(sys.argv.pop(1))
    unittest.main()
