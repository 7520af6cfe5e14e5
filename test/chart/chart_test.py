#!/usr/bin/env python3
"""signet's Helm chart and kustomize manifests, rendered and checked as an admin would check them.

usage: chart_test.py --renderer BUILD/test/chart/chart-render [--signet BUILD/server/signet] [TEST_NAME...]

Every render is validated against the Kubernetes (and cert-manager, prometheus-operator) schemas of each
object's apiVersion by validate_k8s.mjs, strictly: an unknown field fails.
"""
import argparse
import base64
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHART = ROOT / "charts" / "signet"
ALL_OPTIONS = HERE / "values-all-options.yaml"
ARGS = None

# Flags the chart passes that `signet serve` gains in work landing alongside the chart (structured logs;
# the Kubernetes API client). Everything else must be a flag `signet serve --help` lists today.
PENDING_FLAGS = set()


def render_text(*options, namespace="signet-system", check=True):
    result = subprocess.run([ARGS.renderer, "--chart", str(CHART), "--namespace", namespace, *options],
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"render failed: {result.stderr}")
    return result


def render(*options, namespace="signet-system"):
    text = render_text(*options, namespace=namespace).stdout
    return [d for d in yaml.safe_load_all(text) if d]


def find(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} {name or ''}, found {len(found)}")
    return found[0]


def kinds(objects):
    return sorted(o["kind"] for o in objects)


def validate(objects):
    result = subprocess.run(["node", str(HERE / "validate_k8s.mjs")], input=json.dumps(objects),
                            capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def webhooks(objects):
    return [w for o in objects if o["kind"].endswith("WebhookConfiguration") for w in o["webhooks"]]


def container(objects):
    return find(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]


class KubernetesSchemas(unittest.TestCase):
    def assert_valid(self, objects):
        code, report = validate(objects)
        self.assertEqual(code, 0, report)
        self.assertEqual(report.count("\nvalid") + report.startswith("valid"), len(objects), report)

    def test_default_render_matches_the_kubernetes_schemas(self):
        objects = render()
        self.assertEqual(kinds(objects), sorted([
            "ConfigMap", "CustomResourceDefinition", "CustomResourceDefinition", "CustomResourceDefinition",
            "Deployment", "PodDisruptionBudget",
            "ClusterRole", "ClusterRoleBinding", "Service", "ServiceAccount", "Secret",
            "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]))
        self.assert_valid(objects)

    def test_every_option_on_matches_the_kubernetes_schemas(self):
        objects = render("--values", str(ALL_OPTIONS))
        for kind in ("NetworkPolicy", "ServiceMonitor", "Role", "RoleBinding"):
            self.assertIn(kind, kinds(objects))
        self.assertEqual(kinds(objects).count("ConfigMap"), 2)
        self.assert_valid(objects)

    def test_cert_manager_render_matches_the_kubernetes_schemas(self):
        self.assert_valid(render("--set", "certificate.certManager.enabled=true"))
        self.assert_valid(render("--set", "certificate.certManager.enabled=true",
                                 "--set", "certificate.certManager.issuerRef.name=cluster-ca",
                                 "--set", "certificate.certManager.issuerRef.kind=ClusterIssuer"))

    def test_the_validator_refuses_a_misspelt_field_and_a_wrong_type(self):
        objects = render()
        deployment = find(objects, "Deployment")
        deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFS"] = True
        deployment["spec"]["replicas"] = "3"
        code, report = validate([deployment])
        self.assertEqual(code, 1)
        self.assertIn("securityContext.readOnlyRootFS: unknown field", report)
        self.assertIn("/spec/replicas: must be integer", report)
        code, report = validate([{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}])
        self.assertEqual(code, 1)
        self.assertIn("no schema for example.com/v1 Widget", report)


class Security(unittest.TestCase):
    def test_pod_runs_as_non_root_with_a_read_only_root_and_no_privileges(self):
        for objects in (render(), render("--values", str(ALL_OPTIONS))):
            pod = find(objects, "Deployment")["spec"]["template"]["spec"]
            self.assertTrue(pod["securityContext"]["runAsNonRoot"])
            self.assertEqual(pod["securityContext"]["runAsUser"], 65532)
            self.assertEqual(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")
            for c in pod["containers"]:
                sc = c["securityContext"]
                self.assertTrue(sc["runAsNonRoot"])
                self.assertEqual(sc["runAsUser"], 65532)
                self.assertTrue(sc["readOnlyRootFilesystem"])
                self.assertFalse(sc["allowPrivilegeEscalation"])
                self.assertFalse(sc["privileged"])
                self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
                self.assertNotIn("add", sc["capabilities"])
            self.assertFalse(pod.get("hostNetwork", False))
            # The read-only root needs somewhere to write: /tmp is an emptyDir.
            mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
            volumes = {v["name"]: v for v in pod["volumes"]}
            self.assertIn("emptyDir", volumes[mounts["/tmp"]])

    def test_probes_check_healthz_and_readyz_over_https_on_the_serve_port(self):
        c = container(render("--set", "serve.port=9443"))
        self.assertEqual(c["ports"][0], {"name": "https", "containerPort": 9443, "protocol": "TCP"})
        self.assertEqual(c["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "https", "scheme": "HTTPS"})
        self.assertEqual(c["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "https", "scheme": "HTTPS"})
        self.assertIn("--listen=0.0.0.0:9443", c["args"])

    def test_three_replicas_spread_over_nodes_with_a_disruption_budget(self):
        objects = render()
        deployment = find(objects, "Deployment")
        self.assertEqual(deployment["spec"]["replicas"], 3)
        spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        self.assertEqual({s["topologyKey"] for s in spread}, {"kubernetes.io/hostname", "topology.kubernetes.io/zone"})
        selector = deployment["spec"]["selector"]["matchLabels"]
        for s in spread:
            self.assertEqual(s["labelSelector"]["matchLabels"], selector)
        pdb = find(objects, "PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], selector)
        self.assertEqual(kinds(render("--set", "replicaCount=1")).count("PodDisruptionBudget"), 0)
        resources = container(objects)["resources"]
        self.assertEqual(set(resources), {"requests", "limits"})

    def test_dry_run_may_only_create_the_listed_kinds_in_the_dry_run_namespace(self):
        self.assertFalse(any(a.startswith("--kube-dry-run") for a in container(render())["args"]))
        self.assertNotIn("signet-dry-run", [o["metadata"]["name"] for o in render()])
        objects = render("--set", "dryRun.enabled=true")
        args = container(objects)["args"]
        for expected in ("--kube-dry-run", "--kube-dry-run-namespace=signet-dryrun", "--kube-namespace=signet-system"):
            self.assertIn(expected, args)
        role = find(objects, "Role", "signet-dry-run")
        self.assertEqual(role["metadata"]["namespace"], "signet-dryrun")
        self.assertEqual({v for rule in role["rules"] for v in rule["verbs"]}, {"create"})
        granted = {(g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
        self.assertIn(("apps", "deployments"), granted)
        binding = find(objects, "RoleBinding", "signet-dry-run")
        self.assertEqual(binding["metadata"]["namespace"], "signet-dryrun")
        self.assertEqual(binding["subjects"][0]["namespace"], "signet-system")
        # The namespace is created with the release unless it is said to exist, and the webhooks leave it out.
        self.assertEqual(find(objects, "Namespace", "signet-dryrun")["metadata"]["name"], "signet-dryrun")
        self.assertNotIn("Namespace", kinds(render("--set", "dryRun.enabled=true", "--set", "dryRun.createNamespace=false")))
        self.assertNotIn("Namespace", kinds(render()))
        for webhook in find(objects, "ValidatingWebhookConfiguration")["webhooks"]:
            excluded = webhook["namespaceSelector"]["matchExpressions"][0]["values"]
            self.assertEqual(excluded, ["kube-system", "signet-system", "signet-dryrun"])
        default_webhooks = find(render(), "ValidatingWebhookConfiguration")["webhooks"]
        self.assertNotIn("signet-dryrun", default_webhooks[0]["namespaceSelector"]["matchExpressions"][0]["values"])
        refused = render_text("--set", "dryRun.enabled=true", "--set", "dryRun.namespace=signet-system", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("must not be the release's namespace", refused.stderr)

    def test_rbac_grants_only_what_the_values_turn_on(self):
        rules = find(render(), "ClusterRole")["rules"]
        granted = {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}
        self.assertIn(("signet.dev", "clusterimagepolicies"), granted)
        self.assertNotIn(("", "secrets"), granted)
        self.assertNotIn(("kyverno.io", "clusterpolicies"), granted)
        self.assertNotIn(("policies.kyverno.io", "imagevalidatingpolicies"), granted)
        self.assertNotIn(("wgpolicyk8s.io", "policyreports"), granted)
        self.assertNotIn("Role", kinds(render()))
        for objects in (render(), render("--values", str(ALL_OPTIONS))):
            for role in (o for o in objects if o["kind"] in ("ClusterRole", "Role")):
                for rule in role["rules"]:
                    for field in ("apiGroups", "resources", "verbs"):
                        self.assertNotIn("*", rule[field], role["metadata"]["name"])
                    self.assertFalse(set(rule["verbs"]) & {"escalate", "bind", "impersonate"})

        everything = render("--values", str(ALL_OPTIONS))
        cluster = {(g, r): rule["verbs"] for rule in find(everything, "ClusterRole")["rules"]
                   for g in rule["apiGroups"] for r in rule["resources"]}
        self.assertEqual(cluster[("", "secrets")], ["get"])
        self.assertEqual(cluster[("", "serviceaccounts")], ["get"])
        self.assertEqual(cluster[("kyverno.io", "policies")], ["get", "list", "watch"])
        # Read to be refused: an ImageValidatingPolicy in the cluster must stop signet, not pass unseen.
        self.assertEqual(cluster[("policies.kyverno.io", "imagevalidatingpolicies")], ["get", "list", "watch"])
        self.assertEqual(cluster[("policies.kyverno.io", "namespacedimagevalidatingpolicies")],
                         ["get", "list", "watch"])
        self.assertIn("create", cluster[("wgpolicyk8s.io", "policyreports")])
        # The report sweep gets the admitted kinds, the webhook's extra rules included.
        self.assertEqual(cluster[("", "pods")], ["get"])
        self.assertEqual(cluster[("apps", "deployments")], ["get"])
        self.assertEqual(cluster[("batch", "cronjobs")], ["get"])
        self.assertEqual(cluster[("argoproj.io", "rollouts")], ["get"])
        role = find(everything, "Role", "signet")
        self.assertEqual(role["metadata"]["namespace"], "signet-system")
        namespaced_rules = {(g, r): rule["verbs"] for rule in role["rules"] for g in rule["apiGroups"]
                            for r in rule["resources"]}
        self.assertEqual(namespaced_rules[("coordination.k8s.io", "leases")], ["get", "create", "update"])
        # Replicas hand their results to the leader in the release's namespace only, and never update them.
        self.assertEqual(namespaced_rules[("signet.dev", "admissionreports")], ["create", "list", "delete"])
        self.assertNotIn(("signet.dev", "admissionreports"), cluster)
        self.assertNotIn(("", "pods"), granted)

        namespaced = render("--set", "rbac.readSecrets=namespace")
        self.assertNotIn(("", "secrets"), {(g, r) for rule in find(namespaced, "ClusterRole")["rules"]
                                             for g in rule["apiGroups"] for r in rule["resources"]})
        self.assertEqual(find(namespaced, "Role")["rules"], [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
        self.assertEqual(kinds(render("--set", "rbac.create=false")).count("ClusterRole"), 0)


class Webhooks(unittest.TestCase):
    def test_namespace_selector_excludes_kube_system_and_the_release_namespace(self):
        for namespace in ("signet-system", "security"):
            hooks = webhooks(render(namespace=namespace))
            self.assertEqual(len(hooks), 2)
            for hook in hooks:
                expression = hook["namespaceSelector"]["matchExpressions"][0]
                self.assertEqual(expression["key"], "kubernetes.io/metadata.name")
                self.assertEqual(expression["operator"], "NotIn")
                self.assertEqual(expression["values"], ["kube-system", namespace])
        hook = webhooks(render("--values", str(ALL_OPTIONS), namespace="security"))[0]
        expressions = hook["namespaceSelector"]["matchExpressions"]
        # every option on: dryRun too, whose namespace is left out as well
        self.assertEqual(expressions[0]["values"], ["kube-system", "security", "monitoring", "cert-manager", "manifest-checks"])
        self.assertEqual(expressions[1]["key"], "signet.dev/verify")

    def test_failure_policy_is_fail_by_default_and_ignore_when_set(self):
        self.assertEqual({h["failurePolicy"] for h in webhooks(render())}, {"Fail"})
        self.assertEqual({h["failurePolicy"] for h in webhooks(render("--set", "webhook.failurePolicy=Ignore"))},
                         {"Ignore"})

    def test_webhooks_call_validate_and_mutate_with_v1_reviews_and_a_ten_second_timeout(self):
        objects = render()
        validating = find(objects, "ValidatingWebhookConfiguration")["webhooks"][0]
        mutating = find(objects, "MutatingWebhookConfiguration")["webhooks"][0]
        self.assertEqual(validating["clientConfig"]["service"]["path"], "/validate")
        self.assertEqual(mutating["clientConfig"]["service"]["path"], "/mutate")
        self.assertEqual(mutating["reinvocationPolicy"], "IfNeeded")
        service = find(objects, "Service")
        for hook in (validating, mutating):
            self.assertEqual(hook["timeoutSeconds"], 10)
            self.assertEqual(hook["sideEffects"], "None")
            self.assertEqual(hook["admissionReviewVersions"], ["v1"])
            self.assertEqual(hook["clientConfig"]["service"]["name"], service["metadata"]["name"])
            self.assertEqual(hook["clientConfig"]["service"]["port"], service["spec"]["ports"][0]["port"])
            self.assertEqual(hook["namespaceSelector"], validating["namespaceSelector"])
            self.assertEqual(hook["rules"], validating["rules"])
        # signet answers before the API server gives up.
        self.assertIn("--review-deadline=8", container(objects)["args"])
        self.assertIn("--review-deadline=13", container(render("--set", "webhook.timeoutSeconds=15"))["args"])
        self.assertNotIn("MutatingWebhookConfiguration", kinds(render("--set", "webhook.mutate.enabled=false")))

    def test_rules_cover_pods_pod_controllers_and_the_kinds_values_add(self):
        rules = webhooks(render("--values", str(ALL_OPTIONS)))[0]["rules"]
        covered = {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}
        for expected in [("", "pods"), ("", "pods/ephemeralcontainers"), ("apps", "deployments"),
                         ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"),
                         ("batch", "jobs"), ("batch", "cronjobs"), ("argoproj.io", "rollouts")]:
            self.assertIn(expected, covered)
        for rule in rules:
            self.assertEqual(rule["operations"], ["CREATE", "UPDATE"])


class Certificates(unittest.TestCase):
    def test_generated_certificate_names_the_service_and_its_ca_is_the_webhooks_ca_bundle(self):
        objects = render()
        secret = find(objects, "Secret")
        ca = secret["data"]["ca.crt"]
        for hook in webhooks(objects):
            self.assertEqual(hook["clientConfig"]["caBundle"], ca)
        with tempfile.TemporaryDirectory() as d:
            for key in ("ca.crt", "tls.crt"):
                pathlib.Path(d, key).write_bytes(base64.b64decode(secret["data"][key]))
            verified = subprocess.run(["openssl", "verify", "-CAfile", f"{d}/ca.crt", f"{d}/tls.crt"],
                                      capture_output=True, text=True)
            self.assertEqual(verified.returncode, 0, verified.stderr)
            names = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", f"{d}/tls.crt"],
                                   capture_output=True, text=True, check=True).stdout
            self.assertIn("DNS:signet.signet-system.svc", names)
        deployment = find(objects, "Deployment")
        tls = [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "tls"][0]
        self.assertEqual(tls["secret"]["secretName"], secret["metadata"]["name"])
        self.assertIn("--tls-cert=/etc/signet/tls/tls.crt", container(objects)["args"])

    def test_an_existing_certificate_secret_is_reused_on_upgrade(self):
        first = find(render(), "Secret")
        self.assertNotEqual(find(render(), "Secret")["data"]["tls.crt"], first["data"]["tls.crt"],
                            "without lookup each render generates a new certificate")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as cluster:
            yaml.safe_dump(first, cluster)
            cluster.flush()
            upgraded = render("--upgrade", "--lookup", cluster.name)
        self.assertEqual(find(upgraded, "Secret")["data"], first["data"])
        for hook in webhooks(upgraded):
            self.assertEqual(hook["clientConfig"]["caBundle"], first["data"]["ca.crt"])

    def test_a_secret_in_another_namespace_is_not_reused(self):
        first = find(render(), "Secret")
        first["metadata"]["namespace"] = "elsewhere"
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as cluster:
            yaml.safe_dump(first, cluster)
            cluster.flush()
            upgraded = render("--upgrade", "--lookup", cluster.name)
        self.assertNotEqual(find(upgraded, "Secret")["data"]["tls.crt"], first["data"]["tls.crt"])

    def test_cert_manager_variant_injects_its_ca_and_generates_none(self):
        objects = render("--set", "certificate.certManager.enabled=true")
        self.assertNotIn("Secret", kinds(objects))
        for o in objects:
            if o["kind"].endswith("WebhookConfiguration"):
                self.assertEqual(o["metadata"]["annotations"]["cert-manager.io/inject-ca-from"], "signet-system/signet")
                for hook in o["webhooks"]:
                    self.assertNotIn("caBundle", hook["clientConfig"])
        certificate = find(objects, "Certificate")
        self.assertEqual(certificate["metadata"]["name"], "signet")
        self.assertEqual(certificate["spec"]["secretName"], "signet-tls")
        self.assertIn("signet.signet-system.svc", certificate["spec"]["dnsNames"])
        self.assertEqual(certificate["spec"]["issuerRef"]["name"], find(objects, "Issuer")["metadata"]["name"])
        own = render("--set", "certificate.certManager.enabled=true", "--set", "certificate.certManager.issuerRef.name=corp-ca",
                     "--set", "certificate.certManager.issuerRef.kind=ClusterIssuer")
        self.assertNotIn("Issuer", kinds(own))
        self.assertEqual(find(own, "Certificate")["spec"]["issuerRef"]["kind"], "ClusterIssuer")


class CustomResourceDefinitions(unittest.TestCase):
    def check_structural(self, schema, path):
        """The API server's structural-schema rules: every node has a type (or keeps unknown fields),
        properties and additionalProperties never together, metadata only constrains name and generateName."""
        if not schema.get("x-kubernetes-int-or-string") and "type" not in schema:
            self.assertTrue(schema.get("x-kubernetes-preserve-unknown-fields"), f"{path}: no type")
        self.assertFalse("properties" in schema and "additionalProperties" in schema, f"{path}: both")
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            self.assertEqual(schema.get("type", "object"), "object", path)
        for name, child in schema.get("properties", {}).items():
            self.check_structural(child, f"{path}.{name}")
        if "items" in schema:
            self.assertIsInstance(schema["items"], dict, f"{path}.items must be one schema")
            self.check_structural(schema["items"], f"{path}[]")

    def test_crds_are_structural_and_carry_a_kyverno_policy_spec(self):
        crds = {c["spec"]["names"]["kind"]: c for c in render() if c["kind"] == "CustomResourceDefinition"}
        self.assertEqual(crds["ClusterImagePolicy"]["spec"]["scope"], "Cluster")
        self.assertEqual(crds["ImagePolicy"]["spec"]["scope"], "Namespaced")
        for kind in ("ClusterImagePolicy", "ImagePolicy"):
            crd = crds[kind]
            self.assertEqual(crd["spec"]["group"], "signet.dev")
            self.assertEqual(crd["metadata"]["name"], f"{crd['spec']['names']['plural']}.signet.dev")
            versions = crd["spec"]["versions"]
            self.assertEqual([(v["name"], v["served"], v["storage"]) for v in versions], [("v1alpha1", True, True)])
            schema = versions[0]["schema"]["openAPIV3Schema"]
            self.assertEqual(schema["type"], "object")
            self.check_structural(schema, kind)
            self.assertEqual(set(schema["properties"]["metadata"]), {"type"})
            self.assertTrue(schema["properties"]["spec"]["x-kubernetes-preserve-unknown-fields"])
            columns = {c["name"]: c["jsonPath"] for c in versions[0]["additionalPrinterColumns"]}
            self.assertEqual(columns["Action"], ".spec.validationFailureAction")
            self.assertEqual(crd["metadata"]["annotations"]["helm.sh/resource-policy"], "keep")
        self.assertNotIn("CustomResourceDefinition", kinds(render("--set", "crds.install=false")))

    def test_admission_reports_are_namespaced_and_go_with_the_release(self):
        crd = {c["spec"]["names"]["kind"]: c for c in render() if c["kind"] == "CustomResourceDefinition"}[
            "AdmissionReport"]
        self.assertEqual(crd["metadata"]["name"], "admissionreports.signet.dev")
        self.assertEqual(crd["spec"]["scope"], "Namespaced")
        version = crd["spec"]["versions"][0]
        self.assertEqual((version["name"], version["served"], version["storage"]), ("v1alpha1", True, True))
        schema = version["schema"]["openAPIV3Schema"]
        self.check_structural(schema, "AdmissionReport")
        self.assertEqual(schema["properties"]["spec"]["required"], ["results"])
        # Transient: nothing to keep when the release goes.
        self.assertNotIn("helm.sh/resource-policy", crd["metadata"].get("annotations", {}))

    def test_the_structural_check_refuses_an_untyped_node(self):
        with self.assertRaises(AssertionError):
            self.check_structural({"type": "object", "properties": {"spec": {"description": "no type"}}}, "x")


class Values(unittest.TestCase):
    def test_wrong_values_fail_naming_the_field(self):
        for setting, message in [
            ("replicaCount=three", "replicaCount: Invalid type"),
            ("webhook.failurePolicy=Maybe", "webhook.failurePolicy must be one of"),
            ("webhook.timeoutSeconds=60", "webhook.timeoutSeconds: Must be less than or equal to 30"),
            ("serve.logLevel=verbose", "serve.logLevel must be one of"),
            ("rbac.readSecrets=all", "rbac.readSecrets must be one of"),
            ("serve.port=80", "serve.port: Must be greater than or equal to 1024"),
            ("webhook.failurepolicy=Fail", "Additional property failurepolicy is not allowed"),
            ("policies.files.policy\\.txt=x", "policies.files"),
        ]:
            result = render_text("--set", setting, check=False)
            self.assertEqual(result.returncode, 1, setting)
            self.assertIn(message, result.stderr, setting)

    def test_every_values_key_is_documented(self):
        lines = (CHART / "values.yaml").read_text().splitlines()
        undocumented = []
        for i, line in enumerate(lines):
            match = re.match(r"^(\s*)([A-Za-z][\w.-]*):(.*)$", line)
            if not match or (i > 0 and lines[i - 1].strip().startswith("- ")):
                continue
            is_parent = match.group(3).strip() == "" and i + 1 < len(lines) and lines[i + 1].startswith(match.group(1) + "  ")
            in_list = i > 0 and re.match(r"^\s*- ", lines[i - 1]) is not None
            if not is_parent and not in_list and not lines[i - 1].strip().startswith("#"):
                undocumented.append(match.group(2))
        # List items of defaults (topologySpreadConstraints, resources) are documented by their parent.
        undocumented = [k for k in undocumented if k not in ("topologyKey", "whenUnsatisfiable", "cpu", "memory")]
        self.assertEqual(undocumented, [])

    def test_chart_app_version_is_the_project_version(self):
        project = re.search(r"project\(signet VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
        chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
        self.assertEqual(chart["apiVersion"], "v2")
        self.assertEqual(chart["appVersion"], project)
        self.assertEqual(container(render())["image"], f"ghcr.io/signet-dev/signet:{project}")

    def test_args_are_flags_signet_serve_knows(self):
        if ARGS.signet and pathlib.Path(ARGS.signet).exists():
            help_text = subprocess.run([ARGS.signet, "serve", "--help"], capture_output=True, text=True).stdout
        else:  # without a built binary, the help texts in the sources say the same
            help_text = "".join((ROOT / "server" / f).read_text()
                                for f in ("cmd_serve.cpp", "registry_flags.cpp", "trust_flags.cpp",
                                          "kube/policy_flags.cpp", "kube/report_flags.cpp", "kube/secret_flags.cpp",
                                          "kube/dry_run_flags.cpp"))
        known = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) | PENDING_FLAGS
        for objects in (render(), render("--values", str(ALL_OPTIONS))):
            args = container(objects)["args"]
            self.assertEqual(args[0], "serve")
            for arg in args[1:]:
                self.assertIn(arg.split("=")[0], known, arg)
        args = container(render("--values", str(ALL_OPTIONS)))["args"]
        for expected in ("--registry-secrets=/etc/signet/registry-secrets", "--insecure-registry=registry.internal:5000",
                         "--tuf-mirror=https://tuf.example.com", "--trusted-root=/etc/signet/trust/trusted_root.json",
                         "--kube-kyverno-policies", "--threads=4", "--log-format=text", "--kube-secrets",
                         "--kube-namespace=signet-system", "--kube-pull-secrets", "--kube-events",
                         "--kube-reports"):
            self.assertIn(expected, args)
        self.assertFalse({"--kube-secrets", "--kube-pull-secrets"} & set(container(render())["args"]))
        namespaced = container(render("--set", "rbac.readSecrets=namespace"))["args"]
        self.assertIn("--kube-secrets", namespaced)
        self.assertNotIn("--kube-pull-secrets", namespaced)
        # ConfigMaps of context entries are read through the same client.
        self.assertIn("--kube-secrets", container(render("--set", "rbac.readConfigMaps=true"))["args"])
        # PolicyReports only when the RBAC that lets signet write them is on; the Lease only when asked.
        default_args = container(render())["args"]
        self.assertNotIn("--kube-reports", default_args)
        self.assertFalse(any(a.startswith("--leader-election") for a in default_args))
        self.assertNotIn("--kube-events", container(render("--set", "rbac.events=false"))["args"])
        # With reports and several replicas the replicas elect the writer (by default); one replica needs no Lease.
        elected = container(render("--set", "rbac.policyReports=true"))["args"]
        self.assertIn("--leader-election-namespace=signet-system", elected)
        for single in (render("--set", "rbac.policyReports=true", "--set", "replicaCount=1"),
                       render("--set", "rbac.policyReports=true", "--set", "rbac.leaderElection=false")):
            self.assertFalse(any(a.startswith("--leader-election") for a in container(single)["args"]))
            self.assertNotIn("Role", kinds(single))

    def test_policy_files_become_the_policy_folder(self):
        objects = render("--values", str(ALL_OPTIONS))
        policies = find(objects, "ConfigMap", "signet-policies")
        document = yaml.safe_load(policies["data"]["verify-images.yaml"])
        self.assertEqual(document["kind"], "ClusterPolicy")
        pod = find(objects, "Deployment")["spec"]["template"]["spec"]
        mount = [m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "policies"][0]
        self.assertIn(f"--policy={mount['mountPath']}", pod["containers"][0]["args"])
        registry = [v for v in pod["volumes"] if v["name"] == "registry-secrets"][0]
        paths = [s["secret"]["items"][0]["path"] for s in registry["projected"]["sources"]]
        self.assertEqual(paths, ["team-a-registry/.dockerconfigjson", "team-b-registry/.dockerconfigjson"])

    def test_notes_tell_how_to_check_the_install(self):
        notes = render_text("--notes", namespace="security").stdout
        self.assertIn("kubectl -n security get pods", notes)
        self.assertIn("--dry-run=server", notes)
        self.assertIn("/metrics", notes)
        self.assertIn("except kube-system, security", notes)


class Kustomize(unittest.TestCase):
    def test_the_committed_base_equals_a_fresh_render_of_the_chart(self):
        result = subprocess.run([sys.executable, str(HERE / "render_kustomize.py"), "--renderer", ARGS.renderer, "--check"],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_the_production_overlay_renders_and_matches_the_schemas(self):
        if not shutil.which("kubectl"):
            self.skipTest("kubectl is not installed: `kubectl kustomize` cannot run")
        result = subprocess.run(["kubectl", "kustomize", str(ROOT / "deploy" / "overlays" / "production")],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        objects = [d for d in yaml.safe_load_all(result.stdout) if d]
        deployment = find(objects, "Deployment")
        self.assertEqual(deployment["spec"]["template"]["spec"]["priorityClassName"], "system-cluster-critical")
        self.assertEqual(container(objects)["image"], "ghcr.io/signet-dev/signet:0.1.0")
        self.assertIn("Namespace", kinds(objects))
        self.assertIn("Certificate", kinds(objects))
        for hook in webhooks(objects):
            self.assertEqual(hook["namespaceSelector"]["matchExpressions"][0]["values"], ["kube-system", "signet"])
        code, report = validate([o for o in objects if o["kind"] != "Namespace"] +
                                [o for o in objects if o["kind"] == "Namespace"])
        self.assertEqual(code, 0, report)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--renderer", required=True)
    parser.add_argument("--signet")
    parser.add_argument("tests", nargs="*")
    ARGS = parser.parse_args()
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromNames(ARGS.tests, sys.modules[__name__]) if ARGS.tests else \
        loader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed - len(result.skipped)} passed, {failed} failed, {len(result.skipped)} skipped")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
