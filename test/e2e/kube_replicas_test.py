#!/usr/bin/python3
"""Two `signet serve --kube-reports` replicas under leader election on one Lease, against the test API server
(test/support/kube_api_server.py) and a real registry: the results of the reviews each replica answers reach the
namespace's PolicyReport (the one not leading hands them over as AdmissionReports, which the leader merges and
deletes), exactly one holds the Lease, and when the leader stops (SIGTERM) the other takes over and reports.

usage: kube_replicas_test.py SIGNET_BINARY [unittest options]
"""
import json, os, re, shutil, subprocess, sys, tempfile, unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_test as e2e  # noqa: E402
import kube_test as kube  # noqa: E402

LEASE = "/apis/coordination.k8s.io/v1/namespaces/signet-system/leases/signet-replicas"
REPORT = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/default/policyreports/signet-default"
HANDED_OVER = "/apis/signet.dev/v1alpha1/namespaces/signet-system/admissionreports"
SECONDS = 10  # results reach the report, and the other replica takes over, within this


class TwoReplicas(kube.KubeApi, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="signet-replicas-e2e-")
        w = cls.work
        cls.replicas, cls.api = [], None
        try:
            cls.start_cluster()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_cluster(cls):
        """The registry with a signed image, the API server with two Audit policies, and both replicas."""
        w = cls.work
        reg_port = e2e.free_port()
        cls.reg = f"127.0.0.1:{reg_port}"
        e2e.support("registry.py", "start", os.path.join(w, "registry"), reg_port)
        key_a, pub_a = e2e.make_key(os.path.join(w, "key-a"), "p256")
        _, pub_b = e2e.make_key(os.path.join(w, "key-b"), "p256")
        digest = e2e.support("push_image.py", f"{cls.reg}/team/app:v1", "--text", "replicas-" + os.urandom(4).hex())
        e2e.support("cosign_sign.py", cls.reg, "team/app", digest, key_a, "--plain-http")
        cls.image = f"{cls.reg}/team/app:v1@{digest}"
        # Two Audit policies for the image: one passes (key A signed it), one fails (it wants key B).
        cls.start_api_server([kube.cluster_image_policy("signed-by-a", [f"{cls.reg}/team/*"], pub_a, "Audit"),
                              kube.cluster_image_policy("signed-by-b", [f"{cls.reg}/team/*"], pub_b, "Audit")])
        for name in ("one", "two"):
            cls.replicas.append(cls.replica(name))

    @classmethod
    def replica(cls, name):
        work = os.path.join(cls.work, name)
        os.makedirs(work)
        with open(os.path.join(work, "none.json"), "w") as f:
            f.write("{}")
        return kube.KubeSignet(work, cls.kubeconfig, os.path.join(work, "policies"), ["--insecure-registry", cls.reg],
                               ["--kube-reports", "--leader-election-namespace", "signet-system",
                                "--leader-election-id", "signet-replicas"])

    @classmethod
    def tearDownClass(cls):
        for r in cls.replicas:
            r.stop()
            r.log.close()
        if cls.api:
            cls.stop_api_server()
        subprocess.run([e2e.PYTHON, os.path.join(e2e.SUPPORT, "registry.py"), "stop", os.path.join(cls.work, "registry")])
        if os.environ.get("SIGNET_E2E_KEEP"):
            print("kept", cls.work)
        else:
            shutil.rmtree(cls.work, ignore_errors=True)

    def admit(self, replica, pod):
        review = e2e.pod_review([self.image], uid="uid-" + pod)
        review["request"]["name"] = pod
        review["request"]["object"]["metadata"]["name"] = pod
        response = replica.review(review)
        self.assertTrue(response["allowed"], response)  # Audit: admitted, its failure reported

    @staticmethod
    def leads(replica):
        metrics = replica.get("/metrics")[1]
        metrics = metrics.decode() if isinstance(metrics, bytes) else metrics
        return re.search(r"^signet_leader 1$", metrics, re.M) is not None

    def reported(self, pods):
        """The report once it holds a pass and a fail for each of `pods`, else None."""
        report = self.stored(REPORT) or {}
        have = {(r["resources"][0]["name"], r["policy"], r["result"]) for r in report.get("results", [])}
        want = {(p, policy, result) for p in pods for policy, result in (("signed-by-a", "pass"),
                                                                         ("signed-by-b", "fail"))}
        return report if want <= have else None

    def test_both_replicas_results_reach_the_report_and_the_other_takes_over_when_the_leader_stops(self):
        holder = self.eventually(lambda: (self.stored(LEASE) or {}).get("spec", {}).get("holderIdentity"))
        self.assertTrue(holder, "no replica took the Lease")
        leaders = self.eventually(lambda: [r for r in self.replicas if self.leads(r)] or None)
        self.assertEqual(len(leaders or []), 1, "exactly one replica leads")
        leader = leaders[0]
        other = next(r for r in self.replicas if r is not leader)
        self.assertFalse(self.leads(other))

        pods = []
        for i in range(3):
            for name, replica in (("leader", leader), ("other", other)):
                pods.append(f"{name}-{i}")
                self.admit(replica, pods[-1])
        report = self.eventually(lambda: self.reported(pods), SECONDS)
        self.assertIsNotNone(report, "not every result in %s within %d s: %s; see %s and %s" % (
            REPORT, SECONDS, self.stored(REPORT), leader.log.name, other.log.name))
        self.assertEqual(report["summary"], {"pass": 6, "fail": 6, "warn": 0, "error": 0, "skip": 0})
        # The other replica's results went through AdmissionReports, each deleted once merged.
        writes = json.loads(self.control("GET", "/_test/writes"))
        created = [w for w in writes if w["method"] == "POST" and w["path"] == HANDED_OVER and w["status"] == 201]
        self.assertTrue(created, "the replica not leading created no AdmissionReport")
        self.assertTrue(self.eventually(lambda: self.api_get(HANDED_OVER)["items"] == []),
                        "AdmissionReports left: %s" % [i["metadata"]["name"] for i in self.api_get(HANDED_OVER)["items"]])
        self.assertEqual(self.stored(LEASE)["spec"]["holderIdentity"], holder)

        # The leader stops (SIGTERM): it releases the Lease, and the other leads and reports.
        leader.proc.terminate()
        self.assertEqual(leader.proc.wait(timeout=30), 0)
        self.assertTrue(self.eventually(lambda: self.leads(other), SECONDS), "the other replica did not take over")
        taken = self.stored(LEASE)["spec"]["holderIdentity"]
        self.assertTrue(taken and taken != holder, taken)
        after = ["after-0", "after-1"]
        for pod in after:
            self.admit(other, pod)
        self.assertIsNotNone(self.eventually(lambda: self.reported(pods + after), SECONDS),
                             "results sent after the takeover not in the report: %s" % self.stored(REPORT))
        self.assertEqual(self.api_get(HANDED_OVER)["items"], [])


if __name__ == "__main__":
    e2e.SIGNET = os.path.abspath(sys.argv.pop(1))
    unittest.main()
