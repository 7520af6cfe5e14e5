#!/usr/bin/python3
"""A plain-HTTP front for a registry that serves blobs by redirect, as registries backed by object storage
do: blob GETs are answered 307, through HOPS redirects on this server, to the upstream registry (another
host:port); every other request is relayed to the upstream as is.

usage: redirect_proxy.py PORT UPSTREAM [--hops N]
  PORT      port on 127.0.0.1 to listen on
  UPSTREAM  the registry's base URL, e.g. http://127.0.0.1:5000
  --hops N  redirects before the final one to UPSTREAM (default 0)
Each request is logged to stdout: "<method> <path> <status>".
"""
import argparse
import http.server
import re
import sys
import urllib.error
import urllib.request

BLOB = re.compile(r"^/v2/.+/blobs/[a-z0-9]+:[a-f0-9]+$")
HOP = re.compile(r"^/hop/(\d+)(/.*)$")


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("upstream")
    parser.add_argument("--hops", type=int, default=0)
    args = parser.parse_args()
    upstream = args.upstream.rstrip("/")

    class Handler(http.server.BaseHTTPRequestHandler):
        def redirect(self, location):
            self.send_response(307)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.log(307)

        def relay(self):
            request = urllib.request.Request(upstream + self.path, method=self.command)
            for name in ("Accept", "Authorization"):
                if self.headers.get(name):
                    request.add_header(name, self.headers[name])
            try:
                response = urllib.request.urlopen(request)
            except urllib.error.HTTPError as e:
                response = e
            body = response.read()
            self.send_response(response.status if hasattr(response, "status") else response.code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.log(response.status if hasattr(response, "status") else response.code)

        def handle_any(self):
            hop = HOP.match(self.path)
            if hop:
                n, rest = int(hop.group(1)), hop.group(2)
                return self.redirect("/hop/%d%s" % (n + 1, rest) if n < args.hops else upstream + rest)
            if self.command == "GET" and BLOB.match(self.path):
                # Relative on purpose: the client resolves it against this server.
                return self.redirect("/hop/1" + self.path if args.hops > 0 else upstream + self.path)
            self.relay()

        do_GET = do_HEAD = handle_any

        def log(self, status):
            print("%s %s %d" % (self.command, self.path, status), flush=True)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    sys.exit(main())
