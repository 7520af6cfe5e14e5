"""What the benchmarks of bench.py run and read: signet serve, the bare responder, registries, proxies
and the load generator, all on 127.0.0.1, each stopped when its `with` block ends; plus AdmissionReview
and policy texts, HTTPS clients, RSS from /proc and registry request counts from logs."""
import asyncio
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
PYTHON = "/usr/bin/python3"


def support(script, *args):
    out = subprocess.run([PYTHON, os.path.join(SUPPORT, script), *map(str, args)], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory, name):
    cert, key = os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def rss_kib(pid):
    """Resident set size of a process, in KiB, from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


# --- texts -------------------------------------------------------------------------------------------

def policy_rule(name, refs, pem, verify_digest=True):
    keys = "\n".join("                      " + line for line in pem.strip().splitlines())
    refs_yaml = "\n".join(f'            - "{r}"' for r in refs)
    return f"""    - name: {name}
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
        - imageReferences:
{refs_yaml}{"" if verify_digest else chr(10) + "          verifyDigest: false"}
          attestors:
            - entries:
                - keys:
                    publicKeys: |-
{keys}
                    rekor:
                      ignoreTlog: true
"""


def policy_yaml(name, rules):
    return f"""apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {name}
spec:
  validationFailureAction: Enforce
  rules:
{"".join(rules)}"""


def write_policy_dir(directory, documents):
    """documents: {file name: YAML text}."""
    os.makedirs(directory, exist_ok=True)
    for name, text in documents.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    return directory


def pod_review(images, uid="bench"):
    containers = [{"name": f"c{i}", "image": image} for i, image in enumerate(images)]
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench", "namespace": "default"},
           "spec": {"containers": containers}}
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                       "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                                   "resource": {"group": "", "version": "v1", "resource": "pods"},
                                   "namespace": "default", "operation": "CREATE",
                                   "userInfo": {"username": "bench"}, "object": obj}})


# --- processes -----------------------------------------------------------------------------------------

class Registry:
    """Debian's docker-registry (plain HTTP) via test/support/registry.py."""

    def __init__(self, work, name="registry"):
        self.dir = os.path.join(work, name)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"

    def __enter__(self):
        support("registry.py", "start", self.dir, self.port)
        return self

    def __exit__(self, *exc):
        support("registry.py", "stop", self.dir)

    def push_signed(self, repo, key_pem, tag="v1"):
        """Pushes a fresh image as REPO:TAG and signs it; returns its digest."""
        digest = support("push_image.py", f"{self.host}/{repo}:{tag}", "--text", repo + "-" + os.urandom(4).hex())
        support("cosign_sign.py", self.host, repo, digest, key_pem, "--plain-http")
        return digest

    def requests(self, agent=None):
        """The requests the registry's access log holds: "HEAD /v2/team/app/manifests/v1", only those whose
        user agent starts with `agent` if given (the fault proxy relays with its own)."""
        out = []
        with open(os.path.join(self.dir, "registry.log"), errors="replace") as f:
            for line in f:
                quote = line.find('] "')
                if quote < 0 or (agent and f'"{agent}' not in line):
                    continue
                out.append(line[quote + 3:line.find(" HTTP/", quote)])
        return out


class Process:
    """A background process, stopped (SIGTERM, then SIGKILL) when the `with` block ends."""

    def __init__(self, argv, log_path, env=None):
        self.argv, self.log_path, self.env = argv, log_path, env
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self.log, text=True, env=self.env)
        return self

    def first_line(self, timeout=15):
        """The first line the process prints on stdout (its "ready" or port line)."""
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise RuntimeError(f"{self.argv[0]} printed nothing in {timeout} s; see {self.log_path}")
        return self.proc.stdout.readline().strip()

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def delay_proxy(work, upstream_port, delay_ms, name):
    """delay_proxy.py in front of a registry: every round trip through it costs delay_ms."""
    return Process([PYTHON, os.path.join(HERE, "delay_proxy.py"), str(upstream_port), str(delay_ms)],
                   os.path.join(work, name + ".log"))


def plain_chain_ms(port, repo, tag="v1"):
    """A plain client's cold verification chain through the proxy on `port`, on one new connection:
    HEAD the tag, GET the signature manifest, GET its first layer. The floor with the registry's own
    service time in it."""
    accept = {"Accept": "application/vnd.oci.image.manifest.v1+json,"
                        "application/vnd.docker.distribution.manifest.v2+json"}
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("HEAD", f"/v2/{repo}/manifests/{tag}", headers=accept)
    response = conn.getresponse()
    response.read()
    digest = response.getheader("Docker-Content-Digest")
    conn.request("GET", f"/v2/{repo}/manifests/sha256-{digest[7:]}.sig", headers=accept)
    manifest = json.loads(conn.getresponse().read())
    conn.request("GET", f"/v2/{repo}/blobs/{manifest['layers'][0]['digest']}")
    conn.getresponse().read()
    conn.close()
    return (time.perf_counter() - t0) * 1000


class Signet(Process):
    """signet serve on a free port with a policy folder; `started_ms` is spawn-to-/readyz time."""

    def __init__(self, binary, work, policy_dir, extra=(), threads=2, name="signet"):
        self.port = free_port()
        self.cert, self.key = make_cert(work, name)
        super().__init__([binary, "serve", "--policy", policy_dir, "--tls-cert", self.cert, "--tls-key", self.key,
                          "--listen", f"127.0.0.1:{self.port}", "--threads", str(threads), "--log-level", "warning",
                          *extra], os.path.join(work, name + ".log"))
        self.started_ms = None

    def __enter__(self):
        t0 = time.perf_counter()
        super().__enter__()
        self.started_ms = wait_ready(self.port, self.cert, t0, self.proc, self.log_path)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def context(self):
        return ssl.create_default_context(cafile=self.cert)

    def connection(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(), timeout=60)

    def post(self, body, conn=None, path="/validate"):
        own = conn is None
        conn = conn or self.connection()
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read().decode()
        if own:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"signet answered {response.status}: {data}")
        return data

    def metric(self, name, labels=""):
        conn = self.connection()
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        for line in text.splitlines():
            if line.startswith(name + labels + " "):
                return float(line.split()[-1])
        return None


def wait_ready(port, cafile, t0, proc, log_path, timeout=30):
    """Polls GET /readyz (1 ms apart) until 200; returns ms since t0."""
    ctx = ssl.create_default_context(cafile=cafile)
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return (time.perf_counter() - t0) * 1000
        except OSError:
            pass
        time.sleep(0.001)
    raise RuntimeError(f"not ready on port {port} after {timeout} s; see {log_path}")


class Responder(Process):
    """The bare TLS responder of bare_responder.cpp answering `body` to every request."""

    def __init__(self, binary, work, body, threads=2):
        self.cert, self.key = make_cert(work, "responder")
        body_file = os.path.join(work, "responder-body.json")
        with open(body_file, "w") as f:
            f.write(body)
        super().__init__([binary, "--listen", "0", "--tls-cert", self.cert, "--tls-key", self.key, "--body", body_file,
                          "--threads", str(threads)], os.path.join(work, "responder.log"))

    def __enter__(self):
        super().__enter__()
        self.port = int(self.first_line().split()[1])
        return self


# --- load ----------------------------------------------------------------------------------------------

def wrk(port, body, work, seconds, connections, threads=2, path="/validate"):
    """wrk over HTTPS keep-alive POSTing `body`; returns req/s and latency percentiles in ms."""
    body_file = os.path.join(work, "wrk-body.json")
    with open(body_file, "w") as f:
        f.write(body)
    env = dict(os.environ, BENCH_BODY=body_file)
    out = subprocess.run(["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", os.path.join(HERE, "review.lua"),
                          f"https://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True, env=env)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError("wrk printed no RESULT line:\n" + out.stdout + out.stderr)
    values = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    if values["errors"] or values["non2xx"]:
        raise RuntimeError(f"wrk saw {values['errors']:.0f} socket errors and {values['non2xx']:.0f} non-2xx answers")
    return {"requests": int(values["requests"]), "rps": values["requests"] / (values["duration_us"] / 1e6),
            "p50_ms": values["p50"] / 1000, "p90_ms": values["p90"] / 1000, "p99_ms": values["p99"] / 1000,
            "p999_ms": values["p999"] / 1000, "max_ms": values["max"] / 1000, "connections": connections,
            "seconds": seconds}


async def _herd(port, cafile, body, count):
    """`count` TLS connections opened first, then one review sent on each at once."""
    ctx = ssl.create_default_context(cafile=cafile)
    request = (f"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body.encode()
    connections = []
    for start in range(0, count, 100):  # handshakes in batches, so the listen backlog never overflows
        connections += await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port, ssl=ctx)
                                              for _ in range(start, min(count, start + 100))))
    go = asyncio.Event()
    sent, answered = [], []

    async def one(reader, writer):
        await go.wait()
        writer.write(request)
        sent.append(time.perf_counter())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
        data = await reader.readexactly(length)
        answered.append(time.perf_counter())
        writer.close()
        return head.split(b" ", 2)[1] == b"200" and json.loads(data)["response"]["allowed"]

    tasks = [asyncio.create_task(one(r, w)) for r, w in connections]
    await asyncio.sleep(0)
    t0 = time.perf_counter()
    go.set()
    results = await asyncio.gather(*tasks)
    first_answer = min(answered)
    return {"allowed": sum(1 for r in results if r), "sent_before_first_answer": sum(1 for s in sent if s < first_answer),
            "seconds": max(answered) - t0}


def herd(port, cafile, body, count):
    return asyncio.run(_herd(port, cafile, body, count))


def log(message):
    print(message, file=sys.stderr, flush=True)
