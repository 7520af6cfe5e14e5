#!/usr/bin/python3
"""signet's Grafana dashboard and Prometheus alerts against the metrics signet really exports.

`signet serve` is started on 127.0.0.1 with one policy and a stand-in registry that answers 404; a few
AdmissionReviews go through it and /metrics is scraped. Every PromQL expression of the dashboard and the
alerts must parse (promtool check rules), name only metrics of that scrape (histograms as _bucket, _sum,
_count), use only labels those metrics carry (or the scrape's target labels), and match label values the
scrape shows. The alerts fire on the series they are written for (promtool test rules), and the chart's
copies of both files are identical to deploy/monitoring/.

usage: monitoring_test.py SIGNET_BINARY [unittest options]
"""
import http.client, http.server, json, os, re, shutil, socket, ssl, subprocess, sys, tempfile, threading, time
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
DASHBOARD = os.path.join(SOURCE, "deploy", "monitoring", "signet-dashboard.json")
ALERTS = os.path.join(SOURCE, "deploy", "monitoring", "signet-alerts.yaml")
CHART_FILES = os.path.join(SOURCE, "charts", "signet", "files")
ALERT_TESTS = os.path.join(HERE, "signet-alerts.test.yaml")
SIGNET = None  # set from argv
# Labels Prometheus adds to every series of a scrape target (a ServiceMonitor adds the Kubernetes ones).
TARGET_LABELS = {"job", "instance", "namespace", "pod", "service", "endpoint", "container"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                "offset", "inf", "nan"}
# Grafana's variables, replaced by values PromQL accepts.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "1m", "$job": ".*"}

POLICY = """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-signatures
spec:
  validationFailureAction: Enforce
  rules:
    - name: verify-cosign
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences: ["127.0.0.1:*"]
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
                      -----BEGIN PUBLIC KEY-----
                      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOhQjyeDSS+Gp5VJFB6Ak6OOcWQX5
                      mqO2eyV33xNp4LaqKQ4/w1WhuoL4NZXkYIMdiHwZaRvabRlYBDYFZ/15iQ==
                      -----END PUBLIC KEY-----
                    rekor:
                      ignoreTlog: true
"""


def read(path):
    with open(path) as f:
        return f.read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pod_review(uid, image, operation="CREATE"):
    return json.dumps({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                    "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "default",
                    "operation": operation, "userInfo": {"username": "monitoring-test"},
                    "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
                               "spec": {"containers": [{"name": "c", "image": image}]}}}})


class NotFoundRegistry(http.server.BaseHTTPRequestHandler):
    """Answers 404 to everything: signet records a registry request and the rule errs or fails."""

    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        body = b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def scrape_signet():
    """Runs signet serve, sends reviews, returns the /metrics text."""
    work = tempfile.mkdtemp(prefix="signet-monitoring-")
    registry = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFoundRegistry)
    threading.Thread(target=registry.serve_forever, daemon=True).start()
    proc = None
    try:
        os.makedirs(os.path.join(work, "policies"))
        with open(os.path.join(work, "policies", "policy.yaml"), "w") as f:
            f.write(POLICY)
        cert, key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=signet-monitoring", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        port = free_port()
        log = open(os.path.join(work, "signet.log"), "w")
        registry_host = f"127.0.0.1:{registry.server_address[1]}"
        closed_host = f"127.0.0.1:{free_port()}"  # nothing listens: no response (code 0), the rule errs
        proc = subprocess.Popen([SIGNET, "serve", "--policy", os.path.join(work, "policies"), "--tls-cert", cert,
                                 "--tls-key", key, "--listen", f"127.0.0.1:{port}", "--review-deadline", "3",
                                 "--insecure-registry", registry_host, "--insecure-registry", closed_host,
                                 "--log-format", "json"],
                                stdout=log, stderr=subprocess.STDOUT)
        context = ssl.create_default_context(cafile=cert)

        def request(method, path, body=None):
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
            try:
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
                response = conn.getresponse()
                return response.status, response.read().decode()
            finally:
                conn.close()

        for _ in range(200):
            try:
                if request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("signet did not become ready:\n" + read(log.name))
        reviews = [pod_review("m-1", f"{registry_host}/app:v1"),  # the registry is asked, the rule denies
                   pod_review("m-2", f"{registry_host}/app@sha256:" + "a" * 64),
                   pod_review("m-3", "elsewhere.example/app:v1"),
                   pod_review("m-5", f"{closed_host}/app@sha256:" + "b" * 64),  # no rule selects it: allowed
                   pod_review("m-4", f"{registry_host}/app:v1", operation="DELETE")]
        for review in reviews:
            status, _ = request("POST", "/validate", review)
            assert status == 200, status
        assert request("POST", "/validate", "{not json")[0] == 400
        status, text = request("GET", "/metrics")
        assert status == 200, status
        # The JSON log is part of what operators read: each line one object with the admission fields.
        log.close()
        admissions = [json.loads(line) for line in read(log.name).splitlines() if '"msg":"admission"' in line]
        assert len(admissions) == len(reviews), read(log.name)
        return text
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=20)
        registry.shutdown()
        registry.server_close()
        shutil.rmtree(work, ignore_errors=True)


def exported_series(exposition):
    """{metric name: {label name: set of values}} from a text-format exposition; histograms expand."""
    metrics = {}
    for line in exposition.splitlines():
        type_line = re.match(r"# TYPE (\S+) (\S+)", line)
        if type_line:
            name, kind = type_line.groups()
            for suffix in (("_bucket", "_sum", "_count") if kind == "histogram" else ("",)):
                metrics.setdefault(name + suffix, {})
            continue
        if not line or line.startswith("#"):
            continue
        sample = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ", line)
        labels = metrics.setdefault(sample.group(1), {})
        for label, value in re.findall(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"', sample.group(3) or ""):
            labels.setdefault(label, set()).add(value)
    return metrics


def substitute_grafana(expr):
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def analyse(expr):
    """(metric names, [(metric, label, op, value)] matchers, grouping labels) of a PromQL expression."""
    matchers, grouping = [], set()
    selector = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}")

    def take_selector(m):
        for label, op, value in re.findall(r'([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', m.group(2)):
            matchers.append((m.group(1), label, op, value))
        return (m.group(1) or "") + " "

    rest = selector.sub(take_selector, expr)

    def take_grouping(m):
        grouping.update(label.strip() for label in m.group(2).split(",") if label.strip())
        return " "

    rest = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", take_grouping, rest)
    rest = re.sub(r"\[[^\]]*\]", " ", rest)  # ranges
    rest = re.sub(r'"(?:[^"\\]|\\.)*"', " ", rest)  # strings
    names = set()
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", rest):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in PROMQL_WORDS:
            continue
        names.add(word)
    return names, matchers, grouping


def dashboard_expressions():
    dashboard = json.loads(read(DASHBOARD))
    found = []

    def walk(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                found.append((panel["title"], target["expr"]))
            walk(panel.get("panels", []))

    walk(dashboard["panels"])
    for variable in dashboard["templating"]["list"]:
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if variable["type"] == "query":
            inner = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query)
            found.append(("variable " + variable["name"], inner.group(1) if inner else query))
    return found


def alert_expressions():
    rules = yaml.safe_load(read(ALERTS))
    return [(rule.get("alert") or rule.get("record"), rule["expr"]) for group in rules["groups"]
            for rule in group["rules"]]


class Monitoring(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.metrics = exported_series(scrape_signet())

    def check_expression(self, where, expr):
        names, matchers, grouping = analyse(substitute_grafana(expr))
        self.assertTrue(names, f"{where}: no metric found in {expr}")
        known_labels = set(TARGET_LABELS)
        for name in names:
            self.assertIn(name, self.metrics, f"{where}: {name} is not a metric signet exports")
            known_labels |= set(self.metrics[name])
        for metric, label, op, value in matchers:
            labels = self.metrics.get(metric, {}) if metric else {}
            if label in TARGET_LABELS:
                continue
            self.assertIn(label, labels if metric else known_labels, f"{where}: {metric} has no label {label}")
            if op == "=" and metric:
                self.assertIn(value, labels[label], f"{where}: {metric}{{{label}=\"{value}\"}} never appears")
            if op == "=~" and metric:
                pattern = re.compile(value)
                self.assertTrue(any(pattern.fullmatch(v) for v in labels[label]) or "5.." in value,
                                f"{where}: no value of {metric}'s {label} matches {value}")
        for label in grouping:
            self.assertIn(label, known_labels, f"{where}: grouping by {label}, which no metric of it carries")

    def test_every_dashboard_query_names_only_exported_metrics_and_labels(self):
        expressions = dashboard_expressions()
        self.assertGreaterEqual(len(expressions), 15)
        for where, expr in expressions:
            with self.subTest(panel=where):
                self.check_expression(where, expr)

    def test_every_alert_names_only_exported_metrics_and_labels(self):
        for where, expr in alert_expressions():
            with self.subTest(alert=where):
                self.check_expression(where, expr)

    def test_the_scrape_holds_every_metric_of_the_design(self):
        for name in ("signet_admission_requests_total", "signet_admission_duration_seconds_bucket",
                     "signet_policy_results_total", "signet_registry_requests_total",
                     "signet_registry_request_duration_seconds_bucket", "signet_cache_hits_total",
                     "signet_cache_misses_total", "signet_cache_entries", "signet_policies", "signet_build_info"):
            self.assertIn(name, self.metrics)
        self.assertIn("404", self.metrics["signet_registry_requests_total"]["code"])

    def test_the_checker_catches_an_unknown_metric_or_label(self):
        with self.assertRaises(AssertionError):
            self.check_expression("bad metric", "sum(rate(signet_admissions_total[5m]))")
        with self.assertRaises(AssertionError):
            self.check_expression("bad label", "sum by (image) (rate(signet_admission_requests_total[5m]))")
        with self.assertRaises(AssertionError):
            self.check_expression("bad value", 'signet_policies{state="loaded"}')


def promtool(*args):
    return subprocess.run(["promtool", *args], capture_output=True, text=True)


@unittest.skipUnless(shutil.which("promtool"), "promtool (Debian package prometheus) is not installed")
class Promtool(unittest.TestCase):
    def test_the_alert_rules_pass_promtool(self):
        for path in (ALERTS, os.path.join(CHART_FILES, "signet-alerts.yaml")):
            out = promtool("check", "rules", path)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_every_dashboard_query_is_valid_promql(self):
        # promtool parses rule expressions: each query becomes a recording rule of a throwaway file.
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:query_{i}", "expr": substitute_grafana(expr)}
            for i, (_, expr) in enumerate(dashboard_expressions())]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump(rules, f)
            f.flush()
            out = promtool("check", "rules", f.name)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_the_alerts_fire_on_the_series_they_watch(self):
        out = promtool("test", "rules", ALERT_TESTS)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


class Files(unittest.TestCase):
    def test_the_chart_ships_the_same_dashboard_and_alerts(self):
        for name in ("signet-dashboard.json", "signet-alerts.yaml"):
            with open(os.path.join(SOURCE, "deploy", "monitoring", name), "rb") as a, \
                 open(os.path.join(CHART_FILES, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), f"charts/signet/files/{name} differs from deploy/monitoring/")

    def test_the_dashboard_is_a_grafana_model_with_a_templated_datasource(self):
        dashboard = json.loads(read(DASHBOARD))
        self.assertGreaterEqual(dashboard["schemaVersion"], 36)  # Grafana 9.4+ / 10
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        self.assertEqual(variables["datasource"]["type"], "datasource")
        self.assertEqual(variables["datasource"]["query"], "prometheus")
        ids, titles = set(), []
        for panel in dashboard["panels"]:
            self.assertNotIn(panel["id"], ids)
            ids.add(panel["id"])
            titles.append(panel["title"])
            if panel["type"] == "row":
                continue
            self.assertEqual(panel["datasource"]["uid"], "${datasource}", panel["title"])
            for target in panel["targets"]:
                self.assertEqual(target["datasource"]["uid"], "${datasource}", panel["title"])
        exprs = " ".join(expr for _, expr in dashboard_expressions())
        # What the issue asks operators to see.
        self.assertIn("histogram_quantile(0.99, sum by (le) (rate(signet_admission_duration_seconds_bucket", exprs)
        for needed in ("sum by (allowed, operation, kind) (rate(signet_admission_requests_total",
                       "sum by (policy, rule, result, mode) (rate(signet_policy_results_total",
                       'signet_registry_requests_total{job=~"$job",code=~"0|5.."}',
                       "sum by (registry, le) (rate(signet_registry_request_duration_seconds_bucket",
                       "sum by (cache) (rate(signet_cache_hits_total", 'signet_policies{job=~"$job",state="active"}'):
            self.assertIn(needed, exprs)

    def test_the_chart_templates_read_the_shipped_files_behind_their_switches(self):
        templates = os.path.join(SOURCE, "charts", "signet", "templates")
        dashboard = read(os.path.join(templates, "grafana-dashboard.yaml"))
        self.assertIn("{{- if .Values.grafanaDashboard.enabled }}", dashboard)
        self.assertIn('.Files.Get "files/signet-dashboard.json"', dashboard)
        self.assertIn('.Values.grafanaDashboard.label | default "grafana_dashboard"', dashboard)
        rule = read(os.path.join(templates, "prometheusrule.yaml"))
        self.assertIn("{{- if .Values.prometheusRule.enabled }}", rule)
        self.assertIn("apiVersion: monitoring.coreos.com/v1", rule)
        self.assertIn("kind: PrometheusRule", rule)
        self.assertIn('.Files.Get "files/signet-alerts.yaml"', rule)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    SIGNET = sys.argv.pop(1)
    unittest.main(verbosity=2)
