#!/usr/bin/python3
"""signet end to end with dryRun for signed manifests: `signet serve --kube-policies --kube-dry-run` against the
test API server (test/support/kube_api_server.py, which answers server-side dry-run creates with the built-in
kinds' defaults), and AdmissionReviews over HTTPS.

- A Deployment whose signed manifest leaves spec.replicas (and the pod defaults) to the API server, admitted as
  the API server sends it, is allowed: signet creates the signed manifest with dryRun=All in signet-dryrun and
  the answer matches. A tampered one is denied, and so is one the API server refuses to create.

usage: kube_dry_run_test.py SIGNET_BINARY [unittest options]
"""
import copy, json, os, ssl, sys, tempfile, unittest, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_test as e2e  # noqa: E402
import kube_test  # noqa: E402  (the test API server's kubeconfig and control helpers)

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
              "spec": {"selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}


def manifest_policy(pem):
    return {"apiVersion": "signet.dev/v1alpha1", "kind": "ClusterImagePolicy", "metadata": {"name": "signed-yaml"},
            "spec": {"background": False, "rules": [{
                "name": "verify-manifest", "match": {"any": [{"resources": {"kinds": ["Deployment"]}}]},
                "validate": {"failureAction": "Enforce", "manifests": {
                    "attestors": [{"entries": [{"keys": {"publicKeys": pem.strip()}}]}],
                    "dryRun": {"enable": True}}}}]}}


class KubeDryRun(kube_test.KubePolicies):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-kube-dry-run-e2e-")
        with open(os.path.join(cls.work, "none.json"), "w") as f:
            f.write("{}")
        cls.alice, alice_pub = e2e.make_key(os.path.join(cls.work, "alice"), "p256")
        cls.start_api_server([manifest_policy(alice_pub)])
        cls.signet = kube_test.KubeSignet(cls.work, cls.kubeconfig, os.path.join(cls.work, "policies"), [],
                                          ["--kube-dry-run", "--kube-namespace", "signet"])

    # KubePolicies' own cases are not this class's: only its set-up and helpers are shared.
    locals().update({name: None for name in dir(kube_test.KubePolicies) if name.startswith("test_")})

    def signed(self, obj):
        path = os.path.join(self.work, "object.json")
        with open(path, "w") as f:
            json.dump(obj, f)
        return json.loads(e2e.support("sign_manifest.py", path, self.alice))

    def as_admitted(self, obj):
        """`obj` as the API server sends it to admission: with its defaults (its own dry-run answer)."""
        context = ssl.create_default_context(cafile=os.path.join(self.api_dir, "ca.crt"))
        request = urllib.request.Request(
            f"https://127.0.0.1:{self.api_port}/apis/apps/v1/namespaces/shop/deployments?dryRun=All", method="POST",
            data=json.dumps(obj).encode(), headers={"Authorization": "Bearer " + kube_test.TOKEN,
                                                    "Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.loads(response.read())

    def review(self, obj):
        request = {"uid": "d-" + os.urandom(4).hex(), "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                   "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
                   "name": obj["metadata"]["name"], "namespace": "shop", "operation": "CREATE",
                   "userInfo": {"username": "e2e"}, "object": obj, "dryRun": False}
        return self.signet.review({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})

    def test_a_signed_deployment_with_the_api_servers_defaults_is_allowed_through_a_dry_run(self):
        admitted = self.as_admitted(self.signed(DEPLOYMENT))
        self.assertEqual(admitted["spec"]["replicas"], 1)  # not in the signed manifest
        response = self.review(admitted)
        self.assertTrue(response["allowed"], response.get("status"))
        requests = self.control("GET", "/_test/requests")
        self.assertIn("GET /apis/apps/v1 200", requests)
        self.assertIn("POST /apis/apps/v1/namespaces/signet-dryrun/deployments?dryRun=All 201", requests)

    def test_a_tampered_deployment_is_denied_naming_the_field(self):
        admitted = self.as_admitted(self.signed(DEPLOYMENT))
        admitted["spec"]["template"]["spec"]["containers"][0]["image"] = "evil.example/miner:1"
        response = self.review(admitted)
        self.assertFalse(response["allowed"])
        message = response["status"]["message"]
        self.assertIn("spec.template.spec.containers.0.image", message)
        self.assertIn("dry-run in namespace signet-dryrun", message)

    def test_a_manifest_the_api_server_refuses_to_create_is_denied_with_its_reason(self):
        broken = copy.deepcopy(DEPLOYMENT)
        del broken["spec"]["selector"]
        admitted = self.signed(broken)
        admitted["spec"]["replicas"] = 1
        response = self.review(admitted)
        self.assertFalse(response["allowed"])
        self.assertIn("spec.selector: Required value", response["status"]["message"])


if __name__ == "__main__":
    e2e.SIGNET = os.path.abspath(sys.argv.pop(1))
    unittest.main()
