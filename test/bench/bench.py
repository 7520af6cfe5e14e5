#!/usr/bin/python3
"""signet's benchmarks (`make bench`): each measures signet and, in the same run, the ceiling or floor it
is judged against, and prints the ratio. Nothing here asserts anything about time.

  1 warm   cached admissions over HTTPS keep-alive (wrk) against signet and the bare TLS responder
  2 cold   a Pod of 5 signed images, the registry 20 ms away: admission time vs the round-trip floor
  3 herd   1,000 concurrent admissions of one uncached image: registry requests made
  4 crypto verifications per second per core vs `openssl speed`
  5 memory RSS after 100,000 cached verdicts vs the empty process; start-up to /readyz
  6 scale  1,000 policies x 20 rules: load time, admission latency with no and with one matching rule
  7 bundles sigstore bundle verifications per second on one core vs @sigstore/verify on the same bundles;
         `signet verify-bundle`'s process time (start-up included) vs @sigstore/verify's CLI script

usage: bench.py [--build DIR] [--smoke] [--only NAME,...]
Results go to DIR/bench/results.json and a table on stdout. --smoke runs each briefly (for `make test`).
Everything listens on 127.0.0.1 and stops by itself.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import (Process, Registry, Signet, Responder, delay_proxy, free_port, herd as run_herd, log,  # noqa: E402
                           pod_review, policy_rule, policy_yaml, plain_chain_ms, rss_kib, support, write_policy_dir,
                           wrk)

ROUND_TRIP_MS = 20
HERE = os.path.dirname(os.path.abspath(__file__))
SIGSTORE_SUPPORT = os.path.join(HERE, "..", "support", "sigstore")


class Bench:
    def __init__(self, build, smoke, work):
        self.build, self.smoke, self.work = build, smoke, work
        self.signet = os.path.join(build, "server", "signet")
        self.results = {}
        self.key_pem = os.path.join(work, "key.pem")
        support("make_key.py", os.path.join(work, "key"), "--alg", "p256")
        self.pub = open(os.path.join(work, "key.pub")).read()

    def policy_dir(self, name, refs, verify_digest=True):
        rule = policy_rule("verify", refs, self.pub, verify_digest)
        return write_policy_dir(os.path.join(self.work, name), {"policy.yaml": policy_yaml("bench", [rule])})

    # 1 ---------------------------------------------------------------------------------------------------
    def warm(self, registry):
        seconds, connections = (1, 4) if self.smoke else (8, 8)
        images = []
        for i in range(3):
            # Pinned as /mutate leaves them: what /validate sees in a cluster that mutates first.
            digest = registry.push_signed(f"bench/warm-{i}", self.key_pem)
            images.append(f"{registry.host}/bench/warm-{i}:v1@{digest}")
        self.warm_image = images[0]
        body = pod_review(images)
        policies = self.policy_dir("policies-warm", [f"{registry.host}/*"])
        extra = ["--insecure-registry", registry.host, "--tag-cache-ttl", "3600"]
        with Signet(self.signet, self.work, policies, extra) as signet:
            answer = signet.post(body)
            if not json.loads(answer)["response"]["allowed"]:
                raise RuntimeError("the warm Pod was denied: " + answer)
            before = len(registry.requests("signet"))
            with Responder(os.path.join(self.build, "test", "bench", "signet_bare_responder"), self.work,
                           answer) as responder:
                # Alternated, each twice, so drift on a shared machine weighs on both alike; the better run counts.
                runs = {"signet": [], "bare": []}
                for _ in range(1 if self.smoke else 2):
                    runs["bare"].append(wrk(responder.port, body, self.work, seconds, connections))
                    runs["signet"].append(wrk(signet.port, body, self.work, seconds, connections))
            during = len(registry.requests("signet")) - before
        best = {name: max(r, key=lambda x: x["rps"]) for name, r in runs.items()}
        self.results["warm"] = {
            "images": 3, "signet": best["signet"], "bare": best["bare"],
            "ratio": best["signet"]["rps"] / best["bare"]["rps"], "registry_requests_during_run": during,
            "target": "ratio >= 0.9, p99 <= 1 ms"}

    # 2 ---------------------------------------------------------------------------------------------------
    def cold(self, registry):
        trials = 1 if self.smoke else 5
        repos = [f"bench/cold-{i}" for i in range(5)]
        for repo in repos:
            registry.push_signed(repo, self.key_pem)
        with delay_proxy(self.work, registry.port, ROUND_TRIP_MS, "cold-proxy") as proxy:
            port = int(proxy.first_line())
            host = f"127.0.0.1:{port}"
            body = pod_review([f"{host}/{repo}:v1" for repo in repos])
            # By tag, the longest chain: the tag is resolved before the signatures can be found.
            policies = self.policy_dir("policies-cold", [f"{host}/*"], verify_digest=False)
            plain = [plain_chain_ms(port, repos[0]) for _ in range(trials)]
            times, chains = [], []
            for trial in range(trials):  # a fresh signet each time: every cache and pool cold
                with Signet(self.signet, self.work, policies, ["--insecure-registry", host],
                            name=f"signet-cold-{trial}") as signet:
                    conn = signet.connection()
                    conn.request("GET", "/healthz")  # the TLS connection to signet is not what is measured
                    conn.getresponse().read()
                    before = len(registry.requests("signet"))
                    t0 = time.perf_counter()
                    answer = signet.post(body, conn)
                    times.append((time.perf_counter() - t0) * 1000)
                    conn.close()
                    if not json.loads(answer)["response"]["allowed"]:
                        raise RuntimeError("the cold Pod was denied: " + answer)
                    made = registry.requests("signet")[before:]
                    per_repo = [sum(1 for r in made if f"/v2/{repo}/" in r) for repo in repos]
                    # An image's requests depend each on the one before (tag → signature manifest → layer),
                    # after the connection's own round trip; requests about no one image come first.
                    shared = len(made) - sum(per_repo)
                    chains.append(1 + shared + max(per_repo))
        chain = max(chains)
        floor = chain * ROUND_TRIP_MS
        median = statistics.median(times)
        self.results["cold"] = {
            "images": 5, "round_trip_ms": ROUND_TRIP_MS, "trials_ms": [round(t, 1) for t in times],
            "admission_ms": median, "requests_per_image": len(made) / len(repos), "chain": chain, "floor_ms": floor,
            "ratio_to_floor": median / floor, "plain_client_chain_ms": statistics.median(plain),
            "ratio_to_plain_client": median / statistics.median(plain), "requests": made,
            "target": "<= 1.2x floor"}

    # 3 ---------------------------------------------------------------------------------------------------
    def herd(self, registry):
        count, delay = (50, 200) if self.smoke else (1000, 1000)
        # The registry answers slowly, so all the admissions are in flight before the first chain ends.
        registry.push_signed("bench/herd", self.key_pem)
        with delay_proxy(self.work, registry.port, delay, "herd-proxy") as proxy:
            host = f"127.0.0.1:{int(proxy.first_line())}"
            policies = self.policy_dir("policies-herd", [f"{host}/*"], verify_digest=False)
            with Signet(self.signet, self.work, policies, ["--insecure-registry", host], name="signet-herd") as signet:
                before = len(registry.requests("signet"))
                outcome = run_herd(signet.port, signet.cert, pod_review([f"{host}/bench/herd:v1"]), count)
                made = registry.requests("signet")[before:]
        self.results["herd"] = {
            "admissions": count, "registry_round_trip_ms": delay, **outcome,
            "registry_requests": len(made), "requests": made,
            "target": "one fetch chain (3 requests: tag, signature manifest, layer)"}

    # 4 ---------------------------------------------------------------------------------------------------
    def crypto(self):
        seconds = 0.05 if self.smoke else 2
        out = subprocess.run([os.path.join(self.build, "test", "bench", "signet_crypto_bench"),
                              "--benchmark_filter=^Verify/", f"--benchmark_min_time={seconds}",
                              "--benchmark_format=json"], check=True, capture_output=True, text=True)
        signet = {b["name"].split("/")[1]: b["items_per_second"] for b in json.loads(out.stdout)["benchmarks"]}
        speed = subprocess.run(["openssl", "speed", "-seconds", str(max(1, int(seconds))), "-mr", "ecdsap256",
                                "rsa2048", "ed25519"], check=True, capture_output=True, text=True).stdout
        openssl = {}
        for line in speed.splitlines():
            fields = line.split(":")
            if line.startswith("+F4:") and fields[2] == "256":  # ECDSA: +F4:i:bits:sign/s:verify/s
                openssl["p256"] = float(fields[4])
            elif line.startswith("+F2:") and fields[2] == "2048":  # RSA
                openssl["rsa2048"] = float(fields[4])
            elif line.startswith("+F6:") and fields[3] == "Ed25519":  # EdDSA: +F6:i:bits:name:sign/s:verify/s
                openssl["ed25519"] = float(fields[5])
        self.results["crypto"] = {
            alg: {"signet_per_s": signet[alg], "openssl_per_s": openssl[alg], "ratio": signet[alg] / openssl[alg]}
            for alg in ("p256", "rsa2048", "ed25519")}
        self.results["crypto"]["target"] = "ratio >= 0.9"

    # 5 ---------------------------------------------------------------------------------------------------
    def memory(self):
        verdicts, per_pod = (1000, 100) if self.smoke else (100000, 100)
        port = free_port()
        host = f"127.0.0.1:{port}"
        policies = self.policy_dir("policies-memory", [f"{host}/*"])
        here = os.path.dirname(os.path.abspath(__file__))
        with Process(["/usr/bin/python3", os.path.join(here, "null_registry.py"), str(port)],
                     os.path.join(self.work, "null-registry.log")) as null_registry:
            null_registry.first_line()
            starts = []
            for trial in range(1 if self.smoke else 5):  # start-up alone: nothing is fetched
                with Signet(self.signet, self.work, policies, ["--insecure-registry", host],
                            name=f"signet-start-{trial}") as signet:
                    starts.append(signet.started_ms)
            extra = ["--insecure-registry", host, "--verdict-failure-ttl", "3600", "--verdict-cache-entries",
                     str(max(100000, verdicts))]
            with Signet(self.signet, self.work, policies, extra, name="signet-memory") as signet:
                signet.post(pod_review(["busybox:1"]))  # one review through every layer before the baseline
                empty = rss_kib(signet.pid)
                conn = signet.connection()
                t0 = time.perf_counter()
                for pod in range(verdicts // per_pod):
                    images = [f"{host}/mem/app@sha256:{pod * per_pod + i:064x}" for i in range(per_pod)]
                    answer = json.loads(signet.post(pod_review(images), conn))["response"]
                    if answer["allowed"]:
                        raise RuntimeError("an unsigned image was allowed")
                fill_seconds = time.perf_counter() - t0
                conn.close()
                cached = signet.metric("signet_cache_entries", '{cache="verdict"}')
                full = rss_kib(signet.pid)
        self.results["memory"] = {
            "verdicts": verdicts, "verdict_cache_entries": cached, "rss_empty_mib": empty / 1024,
            "rss_full_mib": full / 1024, "ratio": full / empty, "bytes_per_verdict": (full - empty) * 1024 / verdicts,
            "fill_seconds": fill_seconds, "startup_ms": statistics.median(starts),
            "startup_trials_ms": [round(s, 1) for s in starts], "target": "<= 40 MiB, start-up <= 50 ms"}

    # 6 ---------------------------------------------------------------------------------------------------
    def scale(self, registry):
        policies_n, rules_n = (50, 20) if self.smoke else (1000, 20)
        seconds = 1 if self.smoke else 4
        matched = getattr(self, "warm_image", None)
        if matched is None:
            digest = registry.push_signed("bench/warm-0", self.key_pem)
            matched = f"{registry.host}/bench/warm-0:v1@{digest}"
        documents = {}
        for p in range(policies_n):
            rules = [policy_rule(f"r{r}", [f"bench.invalid/p{p}/r{r}/*"], self.pub) for r in range(rules_n)]
            if p == policies_n // 2:  # one rule of one policy selects the matched image
                rules[rules_n // 2] = policy_rule(f"r{rules_n // 2}", [matched.split(":v1@")[0] + "*"], self.pub)
            documents[f"policy-{p:04}.yaml"] = policy_yaml(f"bench-{p:04}", rules)
        big = write_policy_dir(os.path.join(self.work, "policies-scale"), documents)
        small = self.policy_dir("policies-scale-one", [matched.split(":v1@")[0] + "*"])
        t0 = time.perf_counter()
        subprocess.run([self.signet, "policy", "check", big], check=True, capture_output=True)
        check_ms = (time.perf_counter() - t0) * 1000
        none_body, one_body = pod_review(["docker.io/library/nginx:1.25"]), pod_review([matched])
        extra = ["--insecure-registry", registry.host, "--tag-cache-ttl", "3600"]
        out = {"policies": policies_n, "rules_per_policy": rules_n, "policy_check_ms": check_ms}
        for name, folder in (("scale", big), ("one_policy", small)):
            with Signet(self.signet, self.work, folder, extra, name=f"signet-{name}") as signet:
                signet.post(one_body)  # the matched image's verdict is cached before measuring
                out[name] = {"startup_ms": signet.started_ms, "rss_mib": rss_kib(signet.pid) / 1024,
                             "no_match": wrk(signet.port, none_body, self.work, seconds, 1, 1),
                             "one_match": wrk(signet.port, one_body, self.work, seconds, 1, 1)}
        out["target"] = "report (no target)"
        self.results["scale"] = out

    # 7 ---------------------------------------------------------------------------------------------------
    def bundles(self):
        seconds = 0.05 if self.smoke else 2
        node_seconds = 0.2 if self.smoke else 3
        names = ("blob", "dsse", "blob-tsa")
        fixtures = os.path.join(self.work, "sigstore-fixtures")
        # Both verifiers on the same CPU, one each at a time.
        cpu = max(os.sched_getaffinity(0))

        def one_core():
            os.sched_setaffinity(0, {cpu})

        def run(argv, pin=True):
            done = subprocess.run(argv, capture_output=True, text=True, preexec_fn=one_core if pin else None)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(argv[:2])} exited with {done.returncode}: {done.stderr}{done.stdout}")
            return done.stdout

        # Fresh keyless fixtures from the mock Fulcio/Rekor/TSA: both verifiers read the same files.
        run([os.path.join(SIGSTORE_SUPPORT, "make_fixtures.sh"), fixtures], pin=False)

        runs = {"signet": [], "sigstore_js": []}
        # Alternated (twice in a full run) so drift on a shared machine weighs on both alike; the better counts.
        for _ in range(1 if self.smoke else 2):
            out = run([os.path.join(self.build, "test", "bench", "signet_bundle_bench"),
                       f"--benchmark_min_time={seconds}", "--benchmark_format=json", fixtures])
            benchmarks = json.loads(out)["benchmarks"]
            failed = [b for b in benchmarks if b.get("error_occurred")]
            if failed:
                raise RuntimeError("signet_bundle_bench: " + failed[0].get("error_message", "failed"))
            runs["signet"].append({b["name"].split("/")[1]: b["items_per_second"] for b in benchmarks})
            out = run(["node", os.path.join(HERE, "sigstore_verify_bench.js"), fixtures, str(node_seconds), *names])
            runs["sigstore_js"].append({r["bundle"]: r["per_s"] for r in map(json.loads, out.splitlines())})
        result = {}
        for name in names:
            mine = max(r[name] for r in runs["signet"])
            theirs = max(r[name] for r in runs["sigstore_js"])
            result[name] = {"signet_per_s": mine, "sigstore_js_per_s": theirs, "ratio": mine / theirs}

        def identity(key):
            with open(os.path.join(fixtures, key)) as f:
                return f.readline().strip()

        bundle, artifact = os.path.join(fixtures, "blob.bundle.json"), os.path.join(fixtures, "blob.txt")
        root = os.path.join(fixtures, "trusted_root.json")
        cli = [self.signet, "verify-bundle", "--bundle", bundle, "--certificate-identity", identity("identity"),
               "--certificate-oidc-issuer", identity("issuer"), "--trusted-root", root, artifact]
        js = ["node", os.path.join(SIGSTORE_SUPPORT, "verify.js"), root, bundle, artifact,
              "--identity", "^" + re.escape(identity("identity")) + "$", "--issuer", identity("issuer")]
        processes = {}
        for name, argv in (("signet", cli), ("sigstore_js", js)):
            times = []
            for _ in range(1 if self.smoke else 5):
                t0 = time.perf_counter()
                out = run(argv)
                times.append((time.perf_counter() - t0) * 1000)
                if not out.startswith(("verified:", "OK ")):
                    raise RuntimeError(f"{argv[0]} did not verify blob.bundle.json: {out}")
            processes[name] = {"median_ms": statistics.median(times), "trials_ms": [round(t, 1) for t in times]}
        result["process"] = {"signet_verify_bundle_ms": processes["signet"]["median_ms"],
                             "sigstore_js_verify_ms": processes["sigstore_js"]["median_ms"],
                             "signet_trials_ms": processes["signet"]["trials_ms"],
                             "sigstore_js_trials_ms": processes["sigstore_js"]["trials_ms"],
                             "ratio": processes["signet"]["median_ms"] / processes["sigstore_js"]["median_ms"]}
        result["cpu"] = cpu
        result["target"] = "report (no target)"
        self.results["bundles"] = result


def table(r):
    rows = []

    def row(item, what, signet, against, ratio, target):
        rows.append((item, what, signet, against, ratio, target))

    if "warm" in r:
        w = r["warm"]
        s, b = w["signet"], w["bare"]
        row("1 warm", f"req/s, {s['connections']} conns, 3 images", f"{s['rps']:.0f}", f"bare {b['rps']:.0f}",
            f"{w['ratio']:.2f}", ">= 0.90")
        row("", "p50 / p99 / p99.9 ms", f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f} / {s['p999_ms']:.2f}",
            f"bare {b['p50_ms']:.2f} / {b['p99_ms']:.2f} / {b['p999_ms']:.2f}", f"{s['p99_ms'] / b['p99_ms']:.2f}",
            "p99 <= 1 ms")
        row("", "registry requests during run", str(w["registry_requests_during_run"]), "", "", "0")
    if "cold" in r:
        c = r["cold"]
        row("2 cold", f"5 images, {c['round_trip_ms']} ms per round trip", f"{c['admission_ms']:.1f} ms",
            f"floor {c['floor_ms']} ms ({c['chain']} x {c['round_trip_ms']})", f"{c['ratio_to_floor']:.2f}",
            "<= 1.20")
        row("", "vs a plain client's chain (1 image)", f"{c['admission_ms']:.1f} ms",
            f"plain {c['plain_client_chain_ms']:.1f} ms", f"{c['ratio_to_plain_client']:.2f}", "")
        row("", "registry requests per image", f"{c['requests_per_image']:.1f}", "", "", "")
    if "herd" in r:
        h = r["herd"]
        row("3 herd", f"{h['admissions']} concurrent admissions, 1 image", f"{h['registry_requests']} requests",
            "one chain: 3", f"{h['registry_requests'] / 3:.2f}", "1 chain")
        row("", "admitted / sent before first answer", f"{h['allowed']} / {h['sent_before_first_answer']}",
            f"in {h['seconds']:.2f} s", "", "")
    if "crypto" in r:
        for alg in ("p256", "rsa2048", "ed25519"):
            c = r["crypto"][alg]
            row("4 crypto" if alg == "p256" else "", f"{alg} verify/s, 1 core", f"{c['signet_per_s']:.0f}",
                f"openssl {c['openssl_per_s']:.0f}", f"{c['ratio']:.2f}", ">= 0.90")
    if "memory" in r:
        m = r["memory"]
        row("5 memory", f"RSS, {m['verdicts']} cached verdicts", f"{m['rss_full_mib']:.1f} MiB",
            f"empty {m['rss_empty_mib']:.1f} MiB", f"{m['ratio']:.2f}", "<= 40 MiB")
        row("", "start-up to /readyz", f"{m['startup_ms']:.1f} ms", "", "", "<= 50 ms")
    if "scale" in r:
        s = r["scale"]
        big, one = s["scale"], s["one_policy"]
        row("6 scale", f"{s['policies']} x {s['rules_per_policy']} rules: start-up", f"{big['startup_ms']:.0f} ms",
            f"1 policy {one['startup_ms']:.0f} ms", "", "")
        row("", "`signet policy check`", f"{s['policy_check_ms']:.0f} ms", "", "", "")
        for case in ("no_match", "one_match"):
            row("", f"p50 / p99 ms, {case.replace('_', ' ')}",
                f"{big[case]['p50_ms']:.2f} / {big[case]['p99_ms']:.2f}",
                f"1 policy {one[case]['p50_ms']:.2f} / {one[case]['p99_ms']:.2f}",
                f"{big[case]['p50_ms'] / one[case]['p50_ms']:.2f}", "")
        row("", "RSS", f"{big['rss_mib']:.1f} MiB", f"1 policy {one['rss_mib']:.1f} MiB", "", "")

    if "bundles" in r:
        b = r["bundles"]
        for name in ("blob", "dsse", "blob-tsa"):
            c = b[name]
            row("7 bundles" if name == "blob" else "", f"{name}.bundle.json verify/s, 1 core", f"{c['signet_per_s']:.0f}",
                f"@sigstore/verify {c['sigstore_js_per_s']:.0f}", f"{c['ratio']:.2f}", "")
        p = b["process"]
        row("", "`signet verify-bundle` process", f"{p['signet_verify_bundle_ms']:.1f} ms",
            f"node verify.js {p['sigstore_js_verify_ms']:.1f} ms", f"{p['ratio']:.2f}", "")

    header = ("item", "measure", "signet", "against", "ratio", "target")
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(6)]
    lines = ["| " + " | ".join(str(v).ljust(widths[i]) for i, v in enumerate(x)) + " |" for x in [header] + rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", default="warm,cold,herd,crypto,memory,scale,bundles")
    args = parser.parse_args()
    only = args.only.split(",")
    for tool in ("wrk", "openssl") + (("node",) if "bundles" in only else ()):
        if shutil.which(tool) is None:
            sys.exit(f"bench.py: {tool} is not installed (scripts/install-deps installs it)")
    if "bundles" in only and not os.path.isdir(os.path.join(SIGSTORE_SUPPORT, "node_modules", "@sigstore", "verify")):
        sys.exit(f"bench.py: {SIGSTORE_SUPPORT}/node_modules is missing (scripts/install-deps installs it)")

    work = tempfile.mkdtemp(prefix="signet-bench-")
    bench = Bench(os.path.abspath(args.build), args.smoke, work)
    started = time.time()
    load_before = os.getloadavg()[0]  # others' work on a shared machine shows in latency tails
    try:
        with Registry(work) as registry:
            for name in ("warm", "cold", "herd", "crypto", "memory", "scale", "bundles"):
                if name not in only:
                    continue
                log(f"bench: {name}…")
                t0 = time.perf_counter()
                method = getattr(bench, name)
                method(registry) if name in ("warm", "cold", "herd", "scale") else method()
                log(f"bench: {name} done in {time.perf_counter() - t0:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    results = {"machine": {"cores": os.cpu_count(), "cpu": cpu_model(), "kernel": platform.release(),
                           "load_average_before": load_before, "load_average_after": os.getloadavg()[0]},
               "smoke": args.smoke, "seconds": round(time.time() - started, 1), **bench.results}
    out_dir = os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json" if not args.smoke else "smoke-results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"signet benchmarks on {results['machine']['cores']} cores ({results['machine']['cpu']})"
          + f", load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
          + (", smoke run" if args.smoke else ""))
    print(table(bench.results))
    # The plain closing line test runners read: every benchmark ran to its end.
    print(f"{len(bench.results)} passed, 0 failed")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
