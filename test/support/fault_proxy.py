#!/usr/bin/python3
"""A plain-HTTP proxy on loopback in front of a test registry that misbehaves on request: slow answers,
429 and 503 with or without Retry-After, truncated or corrupted bodies, an oversized manifest, a redirect
loop and a redirect to another host. Every request it sees is logged, so tests can count them.

usage: fault_proxy.py UPSTREAM --log FILE [--port N] [--other-port N] [--fault SPEC]...
                      [--idle-timeout SECONDS] [--close-after N]
  UPSTREAM            the registry's base URL, e.g. http://127.0.0.1:5000 (plain HTTP)
  --log FILE          one line per request (see below), appended and flushed as each answer starts
  --port N            port of the proxy on 127.0.0.1 (default: a free one)
  --other-port N      port of the second listener, the "other host" that redirect_other_host sends
                      clients to; it relays everything to UPSTREAM without faults (default: a free one)
  --fault SPEC        "PATH_REGEX ACTION [key=value]...", repeatable; the first fault whose regex
                      matches the request path (re.search) and whose method= (if given) matches applies.
  --idle-timeout S    close a keep-alive connection idle for S seconds (default 60)
  --close-after N     after N answers on one connection, read the next request and close the
                      connection without answering (a server that dropped an idle connection just as a
                      request was sent on it)

Actions:
  delay=SECONDS             wait, then relay
  status=CODE               answer CODE (e.g. 429, 503) with a Distribution API error body;
                            retry_after=VALUE adds a Retry-After header
  truncate                  relay with the full Content-Length but only half the body, then close
  corrupt                   relay with one byte of the body flipped, headers untouched
  oversize                  answer 200 with a manifest body of 4 MiB + 1 KiB
  redirect_loop             302 to the same path
  redirect_other_host       302 to the same path on the second listener
  serve=FILE                answer 200 with FILE's bytes (type=MEDIA_TYPE its Content-Type): a registry
                            feature the registry under test lacks, such as the OCI 1.1 referrers API;
                            filters_applied=VALUE adds an OCI-Filters-Applied header
Options of any fault: count=K (apply to the first K matching requests only, then relay),
method=GET|HEAD (apply to that method only).

Log lines: "<listener> <METHOD> <path> <status> <fault|-> conn=<client port> concurrent=<n>", where
listener is "proxy" or "other" and concurrent counts the requests in flight on that listener when this
one started (itself included).

Prints "PORT OTHER_PORT" on stdout once both listen; runs in the foreground; SIGTERM stops it.
"""
import argparse
import http.client
import http.server
import os
import re
import signal
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length",
              "date", "server", "proxy-authenticate", "proxy-authorization"}
RELAYED_REQUEST_HEADERS = ("Accept", "Authorization", "Content-Type")
OVERSIZE_BYTES = 4 * 1024 * 1024 + 1024


class Fault:
    def __init__(self, spec):
        parts = spec.split()
        if len(parts) < 2:
            raise ValueError("a fault is PATH_REGEX ACTION [key=value]...: " + spec)
        self.pattern = re.compile(parts[0])
        self.options = {}
        self.action = None
        for word in parts[1:]:
            key, _, value = word.partition("=")
            if key in ("delay", "status", "serve"):
                self.action = self.action or key
            elif key in ("truncate", "corrupt", "oversize", "redirect_loop", "redirect_other_host"):
                self.action = key
            elif key not in ("retry_after", "count", "method", "type", "filters_applied"):
                raise ValueError("unknown fault option " + key)
            self.options[key] = value
        if self.action is None:
            raise ValueError("a fault needs an action: " + spec)
        self.remaining = int(self.options["count"]) if "count" in self.options else None
        self.lock = threading.Lock()

    def take(self, method, path):
        """Whether this fault applies to this request (and counts it if so)."""
        if "method" in self.options and self.options["method"] != method:
            return False
        if not self.pattern.search(path):
            return False
        with self.lock:
            if self.remaining is not None:
                if self.remaining <= 0:
                    return False
                self.remaining -= 1
        return True


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("upstream")
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--other-port", type=int, default=0)
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--idle-timeout", type=float, default=60.0)
    parser.add_argument("--close-after", type=int, default=0)
    args = parser.parse_args()
    upstream = urllib.parse.urlsplit(args.upstream)
    if upstream.scheme != "http":
        parser.error("UPSTREAM must be an http:// URL")
    faults = [Fault(spec) for spec in args.fault]
    log_lock = threading.Lock()
    log_file = open(args.log, "a", buffering=1)

    def make_handler(listener, other_port_of, use_faults):
        in_flight = [0]
        in_flight_lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as registries do
            timeout = args.idle_timeout

            def setup(self):
                super().setup()
                self.answered = 0

            def log_request_line(self, status, fault):
                with log_lock:
                    log_file.write("%s %s %s %d %s conn=%d concurrent=%d\n" % (
                        listener, self.command, self.path, status, fault or "-", self.client_address[1],
                        self.concurrent))

            def fetch_upstream(self):
                connection = http.client.HTTPConnection(upstream.hostname, upstream.port or 80, timeout=30)
                headers = {name: self.headers[name] for name in RELAYED_REQUEST_HEADERS if self.headers.get(name)}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                kept = [(n, v) for n, v in response.getheaders() if n.lower() not in HOP_BY_HOP]
                # HEAD keeps the upstream's length: it is the length a GET would have.
                length_header = response.getheader("Content-Length") if self.command == "HEAD" else str(len(data))
                return response.status, kept, data, length_header

            def answer(self, status, headers, body, length, fault):
                self.log_request_line(status, fault)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                self.wfile.flush()

            def handle_any(self):
                if args.close_after and self.answered >= args.close_after:
                    self.close_connection = True
                    return
                self.answered += 1
                with in_flight_lock:
                    in_flight[0] += 1
                    self.concurrent = in_flight[0]
                try:
                    self.serve()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    with in_flight_lock:
                        in_flight[0] -= 1

            def serve(self):
                fault = None
                if use_faults:
                    fault = next((f for f in faults if f.take(self.command, self.path)), None)
                action = fault.action if fault else None
                if action == "delay":
                    time.sleep(float(fault.options["delay"]))
                if action == "status":
                    status = int(fault.options["status"])
                    headers = [("Content-Type", "application/json")]
                    if "retry_after" in fault.options:
                        headers.append(("Retry-After", fault.options["retry_after"]))
                    body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"injected by fault_proxy"}]}'
                    return self.answer(status, headers, body, len(body), action)
                if action == "redirect_loop":
                    return self.answer(302, [("Location", self.path)], b"", 0, action)
                if action == "redirect_other_host":
                    location = "http://127.0.0.1:%d%s" % (other_port_of(), self.path)
                    return self.answer(302, [("Location", location)], b"", 0, action)
                if action == "serve":
                    with open(fault.options["serve"], "rb") as f:
                        body = f.read()
                    headers = [("Content-Type", fault.options.get("type", "application/json"))]
                    if "filters_applied" in fault.options:
                        headers.append(("OCI-Filters-Applied", fault.options["filters_applied"]))
                    return self.answer(200, headers, body, len(body), action)
                if action == "oversize":
                    body = b'{"schemaVersion":2,"layers":[],"padding":"' + b"x" * OVERSIZE_BYTES + b'"}'
                    headers = [("Content-Type", "application/vnd.oci.image.manifest.v1+json")]
                    return self.answer(200, headers, body, len(body), action)

                status, headers, body, length = self.fetch_upstream()
                if action == "corrupt" and body:
                    flipped = bytearray(body)
                    flipped[len(flipped) // 2] ^= 0x01
                    body = bytes(flipped)
                if action == "truncate" and self.command != "HEAD":
                    self.answer(status, headers, body[:len(body) // 2], len(body), action)
                    self.close_connection = True
                    return
                self.answer(status, headers, body, length, action)

            do_GET = do_HEAD = do_POST = handle_any

            def log_message(self, *unused):
                pass

        return Handler

    other_server = [None]
    proxy = http.server.ThreadingHTTPServer(
        ("127.0.0.1", args.port), make_handler("proxy", lambda: other_server[0].server_address[1], True))
    other = http.server.ThreadingHTTPServer(("127.0.0.1", args.other_port), make_handler("other", None, False))
    other_server[0] = other
    for server in (proxy, other):
        server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *unused: os._exit(0))
    threading.Thread(target=other.serve_forever, daemon=True).start()
    print("%d %d" % (proxy.server_address[1], other.server_address[1]), flush=True)
    proxy.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
