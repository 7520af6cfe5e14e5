#!/usr/bin/python3
"""signet end to end with Secrets from the cluster: `signet serve --kube-policies --kube-secrets
--kube-pull-secrets` against the test API server (test/support/kube_api_server.py), a docker-registry that
asks for a password (basic auth over TLS) holding a cosign-signed image, and AdmissionReviews over HTTPS.

- An image in the password-protected registry is verified only for pods whose own imagePullSecrets, or
  whose service account's, carry the password; a pod without them is denied naming the credentials.
- A policy whose key is `k8s://signet/cosign-key` verifies the signature with the Secret's cosign.pub.
- A policy whose key is `{{ keys.data.production }}`, from a ConfigMap context entry, verifies with the
  ConfigMap's key, and with the other key once the ConfigMap is edited (objects are kept 1 s here).

usage: kube_secrets_test.py SIGNET_BINARY [unittest options]
"""
import base64, json, os, shutil, subprocess, sys, tempfile, time, unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_test as e2e  # noqa: E402
import kube_test  # noqa: E402  (the test API server's kubeconfig and control helpers)

TOKEN = "kube-secrets-e2e-token"
USER = "e2e:s3cret"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def pod_review(image, namespace, pull_secrets=(), service_account=None, uid="uid-1"):
    spec = {"containers": [{"name": "app", "image": image}]}
    if pull_secrets:
        spec["imagePullSecrets"] = [{"name": n} for n in pull_secrets]
    if service_account:
        spec["serviceAccountName"] = service_account
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "namespace": namespace, "operation": "CREATE", "userInfo": {"username": "e2e"},
                        "object": {"apiVersion": "v1", "kind": "Pod",
                                   "metadata": {"name": "web", "namespace": namespace}, "spec": spec}}}


class KubeSecrets(kube_test.KubePolicies):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-kube-secrets-e2e-")
        w = cls.work
        with open(os.path.join(w, "none.json"), "w") as f:
            f.write("{}")
        cls.reg_port = e2e.free_port()
        cls.reg = f"127.0.0.1:{cls.reg_port}"
        cls.reg_dir = os.path.join(w, "registry")
        e2e.support("registry.py", "start", cls.reg_dir, cls.reg_port, "--tls", "--htpasswd", USER)
        cls.key_a, cls.pub_a = e2e.make_key(os.path.join(w, "key-a"), "p256")
        cls.key_b, cls.pub_b = e2e.make_key(os.path.join(w, "key-b"), "p256")
        tag = f"{cls.reg}/team/app:v1"
        cls.digest = e2e.support("push_image.py", tag, "--text", "secrets-" + os.urandom(4).hex(),
                                 "--ca", cls.reg_dir, "--creds", USER)
        e2e.support("cosign_sign.py", cls.reg, "team/app", cls.digest, cls.key_a, "--ca", os.path.join(cls.reg_dir, "ca.crt"), "--creds", USER)
        cls.image = tag
        cls.keyed_tag = f"{cls.reg}/keyed/app:v1"
        keyed_digest = e2e.support("push_image.py", cls.keyed_tag, "--text", "keyed-" + os.urandom(4).hex(),
                                   "--ca", cls.reg_dir, "--creds", USER)
        e2e.support("cosign_sign.py", cls.reg, "keyed/app", keyed_digest, cls.key_a, "--ca", os.path.join(cls.reg_dir, "ca.crt"),
                    "--creds", USER)

        cls.cm_signed = f"{cls.reg}/cm/app:v1"
        cm_digest = e2e.support("push_image.py", cls.cm_signed, "--text", "cm-" + os.urandom(4).hex(),
                                "--ca", cls.reg_dir, "--creds", USER)
        e2e.support("cosign_sign.py", cls.reg, "cm/app", cm_digest, cls.key_a, "--ca", os.path.join(cls.reg_dir, "ca.crt"),
                    "--creds", USER)
        cls.cm_unsigned = f"{cls.reg}/cm/unsigned:v1"
        e2e.support("push_image.py", cls.cm_unsigned, "--text", "cm-unsigned-" + os.urandom(4).hex(),
                    "--ca", cls.reg_dir, "--creds", USER)

        dockerconfig = json.dumps({"auths": {cls.reg: {"auth": b64(USER)}}})
        items = [
            kube_test.cluster_image_policy("team-images", [f"{cls.reg}/team/*"], cls.pub_a),
            kube_test.cluster_image_policy("keyed-images", [f"{cls.reg}/keyed/*"], "k8s://signet/cosign-key"),
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cosign-key", "namespace": "signet"},
             "type": "Opaque", "data": {"cosign.pub": b64(cls.pub_a)}},
            # The keyed policy's registry credentials, as Kyverno reads them: in signet's own namespace.
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "signet-regcred", "namespace": "signet"},
             "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": b64(dockerconfig)}},
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred", "namespace": "team"},
             "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": b64(dockerconfig)}},
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "team"},
             "imagePullSecrets": [{"name": "regcred"}]},
        ]
        # The key of this policy is read from a ConfigMap, as Kyverno's documentation writes it.
        items.append(kube_test.cluster_image_policy("configmap-keys", [f"{cls.reg}/cm/*"], "{{ keys.data.production }}"))
        items[-1]["spec"]["rules"][0]["context"] = [
            {"name": "keys", "configMap": {"name": "keys", "namespace": "signet"}}]
        items.append(cls.keys_config_map(cls.pub_a))
        # Pods name tags: each review resolves the tag with that pod's credentials.
        for policy in (items[0], items[1], items[-2]):
            policy["spec"]["rules"][0]["verifyImages"][0]["verifyDigest"] = False
        for policy in (items[1], items[-2]):
            policy["spec"]["rules"][0]["verifyImages"][0]["imageRegistryCredentials"] = {"secrets": ["signet-regcred"]}
        cls.api_port = e2e.free_port()
        cls.api_dir = os.path.join(w, "api")
        fixtures = os.path.join(w, "fixtures.json")
        with open(fixtures, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
        cls.api_log = open(os.path.join(w, "api.log"), "w")
        cls.api = subprocess.Popen([e2e.PYTHON, os.path.join(e2e.SUPPORT, "kube_api_server.py"), cls.api_dir,
                                    str(cls.api_port), "--token", TOKEN, "--fixtures", fixtures],
                                   stdout=cls.api_log, stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(os.path.join(cls.api_dir, "ca.crt")) and cls.answers():
                break
            time.sleep(0.05)
        cls.kubeconfig = os.path.join(w, "kubeconfig")
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
    token: {TOKEN}
contexts:
- name: e2e
  context: {{cluster: test, user: signet}}
""")
        cls.signet = kube_test.KubeSignet(
            w, cls.kubeconfig, os.path.join(w, "policies"), ["--registry-ca", os.path.join(cls.reg_dir, "ca.crt")],
            ["--kube-secrets", "--kube-pull-secrets", "--kube-namespace", "signet", "--kube-object-ttl", "1"])

    @staticmethod
    def keys_config_map(production):
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keys", "namespace": "signet"},
                "data": {"production": production}}

    # The parent's tests are about policies; these are about secrets.
    # KubePolicies' own cases are not this class's: only its set-up and helpers are shared.
    locals().update({name: None for name in dir(kube_test.KubePolicies) if name.startswith("test_")})

    def test_a_pod_without_pull_secrets_is_denied_naming_the_missing_credentials(self):
        response = self.signet.review(pod_review(self.image, "other"))
        self.assertFalse(response["allowed"])
        self.assertIn("401", response["status"]["message"])
        self.assertIn("check credentials for " + self.reg, response["status"]["message"])

    def test_the_pods_own_image_pull_secret_lets_signet_read_and_verify_the_image(self):
        response = self.signet.review(pod_review(self.image, "team", pull_secrets=["regcred"]))
        self.assertTrue(response["allowed"], response.get("status"))
        # The same image for a pod in another namespace without the secret: the tag is read again with
        # that pod's credentials (none), so it is not verified on the first pod's behalf.
        response = self.signet.review(pod_review(self.image, "other", uid="uid-2"))
        self.assertFalse(response["allowed"])

    def test_the_service_accounts_image_pull_secrets_count_as_the_pods(self):
        response = self.signet.review(pod_review(self.image, "team", service_account="builder"))
        self.assertTrue(response["allowed"], response.get("status"))
        requests = self.control("GET", "/_test/requests")
        self.assertIn("GET /api/v1/namespaces/team/serviceaccounts/builder 200", requests)

    def test_a_k8s_key_and_policy_named_credentials_verify_the_signature(self):
        response = self.signet.review(pod_review(self.keyed_tag, "other"))
        self.assertTrue(response["allowed"], response.get("status"))
        requests = self.control("GET", "/_test/requests")
        self.assertIn("GET /api/v1/namespaces/signet/secrets/cosign-key 200", requests)
        self.assertIn("GET /api/v1/namespaces/signet/secrets/signet-regcred 200", requests)

    def test_a_key_from_a_configmap_verifies_and_an_edited_configmap_changes_the_verdict(self):
        response = self.signet.review(pod_review(self.cm_signed, "other"))
        self.assertTrue(response["allowed"], response.get("status"))
        response = self.signet.review(pod_review(self.cm_unsigned, "other", uid="uid-2"))
        self.assertFalse(response["allowed"])
        self.assertIn("no signatures found", response["status"]["message"])
        self.assertIn("GET /api/v1/namespaces/signet/configmaps/keys 200", self.control("GET", "/_test/requests"))

        # Another key in the ConfigMap: within seconds the policy is reloaded and the image, signed with the
        # first key, is denied (the old verdict belongs to the old key).
        self.control("POST", "/_test/objects", self.keys_config_map(self.pub_b))
        denied = self.eventually(
            lambda: (lambda r: r if not r["allowed"] else None)(
                self.signet.review(pod_review(self.cm_signed, "other", uid="uid-3"))), seconds=10)
        self.assertIsNotNone(denied, "the signed image was still allowed 10 s after its key was replaced")
        self.control("POST", "/_test/objects", self.keys_config_map(self.pub_a))


if __name__ == "__main__":
    e2e.SIGNET = os.path.abspath(sys.argv.pop(1))
    unittest.main()
