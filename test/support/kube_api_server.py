#!/usr/bin/python3
"""A Kubernetes API server for signet's tests, on 127.0.0.1, speaking the real wire format.

usage:
  kube_api_server.py DIR PORT [--fixtures FILE]... [--token TOKEN] [--forbid RESOURCE]...
                     [--bookmark-interval SECONDS] [--plain-http]

Serves the resources signet reads (signet.dev/v1alpha1 clusterimagepolicies and imagepolicies, kyverno.io/v1
clusterpolicies and policies, v1 secrets, configmaps and serviceaccounts), those it writes (wgpolicyk8s.io/v1alpha2
policyreports and clusterpolicyreports, signet.dev/v1alpha1 admissionreports, v1 events, coordination.k8s.io/v1
leases) and built-in kinds that the report sweep looks up and signed manifests hold (v1 pods and services,
apps/v1 deployments, rbac.authorization.k8s.io/v1 clusterroles) over HTTPS with a certificate for 127.0.0.1 and
localhost signed by a fresh test CA (DIR/ca.crt; a client certificate it accepts is DIR/client.crt with
DIR/client.key). Runs in the foreground until SIGTERM.

What a client meets, as the real API server does it:
  - authentication: `Authorization: Bearer T` with T a line of DIR/tokens (re-read at every request; --token
    writes the first), or a client certificate signed by the test CA; anything else is 401 with a Status.
  - `--forbid PLURAL.GROUP` (or PLURAL for the core group): every request for it is 403 with the message
    the API server writes for RBAC denials.
  - GET of one object; LIST (`limit`, `continue`, `labelSelector` with `k=v`, `k==v`, `k!=v`, `k` and `!k`
    terms joined by commas) answering `{"kind": "<Kind>List", "metadata":
    {"resourceVersion", "continue"}, "items": [...]}`; WATCH (`watch=true`, `resourceVersion`,
    `allowWatchBookmarks`, `timeoutSeconds`) streaming one JSON event per line with chunked transfer:
    ADDED / MODIFIED / DELETED / BOOKMARK, and an ERROR event holding a 410 Status when the resourceVersion
    is older than the history kept. Resource versions are one counter over every object, as etcd's.
  - writes of the resources signet writes: POST to the collection creates (201; 409 AlreadyExists when the
    name is taken; metadata.generateName without a name gets that prefix and 5 random characters), PUT
    replaces (404 when missing; 409 Conflict when the body's metadata.resourceVersion is not the stored one),
    PATCH with application/merge-patch+json merges (404 when missing; 415 for any other Content-Type), DELETE
    removes (404 when missing; a DeleteOptions body's preconditions.uid / preconditions.resourceVersion that
    differ from the stored object's are a 409 Conflict "Precondition failed") and answers the object as it
    was; each stores a new resourceVersion and an ADDED, MODIFIED or DELETED event.
  - discovery: GET /api/v1 and /apis/GROUP/VERSION answer the APIResourceList of that group version (name,
    singularName, namespaced, kind, verbs; with a `/status` subresource for the built-in kinds), 404 for a group
    version not served.
  - server-side dry-run: POST to the collection of any served resource with `?dryRun=All` answers 201 with the
    object as the API server would store it, nothing stored and no event: uid, creationTimestamp and
    managedFields set (no resourceVersion), generation 1 for deployments, and the defaults of the built-in kinds
    (a Deployment's replicas 1, revisionHistoryLimit 10, progressDeadlineSeconds 600, RollingUpdate strategy 25%/25%,
    and for its pod template as for a Pod: restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy
    ClusterFirst, schedulerName default-scheduler, securityContext {}, and per container
    terminationMessagePath /dev/termination-log, terminationMessagePolicy File, imagePullPolicy (Always for
    :latest or no tag, else IfNotPresent), resources {}, ports' protocol TCP; a Service's type ClusterIP,
    sessionAffinity None and a clusterIP). A Deployment without spec.selector is 422 Invalid, as the real
    validation answers; --forbid gives the RBAC 403 naming the verb create and the namespace.
  - fixtures: JSON files holding objects, a list of objects or a `...List`, served from the start.
  - --without-group GROUP: that group's resources are not served (404, and no discovery), as when its
    CustomResourceDefinitions are not installed.

Control endpoints for the test itself (no authentication, under /_test/):
  POST /_test/objects      body: an object; created or replaced (a new resourceVersion, an ADDED or
                           MODIFIED event); answers the object as stored
  POST /_test/delete       body: {"apiVersion", "kind", "metadata": {"name", "namespace"}}; a DELETED event
  POST /_test/fault        body: one of {"drop_watch_after": N} (the next watch sends N events then drops
                           the connection without ending the chunked body), {"watch_gone": "status"} (the
                           next watch is answered 410), {"compact": true} (history before now is
                           forgotten: an older resourceVersion gets the ERROR 410 event), {"expire_continue":
                           true} (the next LIST with a continue token is answered 410 Expired),
                           {"hang": S} (every API request waits S seconds before it is answered; 0 ends it),
                           {"write_before_next_update": true} (the object of the next PUT is written by someone
                           else first: a PUT carrying the resourceVersion it read is a 409 Conflict),
                           {"fail_next": "METHOD"} (the next API request with that method, e.g. DELETE, is
                           answered 500 InternalError and changes nothing)
  GET  /_test/requests     the API requests so far, one per line: "METHOD PATH?QUERY STATUS"
  GET  /_test/writes       the write requests so far, a JSON list of {"method", "path", "status", "body"}
  GET  /_test/object?path=P  the stored object at API path P (no authentication), 404 when none
"""
import argparse
import base64
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (group, version, plural) → (kind, namespaced)
RESOURCES = {
    ("signet.dev", "v1alpha1", "clusterimagepolicies"): ("ClusterImagePolicy", False),
    ("signet.dev", "v1alpha1", "imagepolicies"): ("ImagePolicy", True),
    ("kyverno.io", "v1", "clusterpolicies"): ("ClusterPolicy", False),
    ("kyverno.io", "v1", "policies"): ("Policy", True),
    # Kyverno's image policies, which signet reads only to refuse; served at v1beta1 (as Kyverno 1.15 and 1.16
    # serve them), so a client must find the version by discovery. --without-group drops them.
    ("policies.kyverno.io", "v1beta1", "imagevalidatingpolicies"): ("ImageValidatingPolicy", False),
    ("policies.kyverno.io", "v1beta1", "namespacedimagevalidatingpolicies"): ("NamespacedImageValidatingPolicy", True),
    ("", "v1", "secrets"): ("Secret", True),
    ("", "v1", "configmaps"): ("ConfigMap", True),
    ("", "v1", "serviceaccounts"): ("ServiceAccount", True),
    # Written by signet: admission results and the Lease that elects the report writer.
    ("wgpolicyk8s.io", "v1alpha2", "policyreports"): ("PolicyReport", True),
    ("wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports"): ("ClusterPolicyReport", False),
    ("", "v1", "events"): ("Event", True),
    ("coordination.k8s.io", "v1", "leases"): ("Lease", True),
    ("signet.dev", "v1alpha1", "admissionreports"): ("AdmissionReport", True),
    # Built-in kinds: admitted objects the report sweep looks up, and kinds of signed manifests (dry-run creates).
    ("", "v1", "pods"): ("Pod", True),
    ("", "v1", "services"): ("Service", True),
    ("apps", "v1", "deployments"): ("Deployment", True),
    ("rbac.authorization.k8s.io", "v1", "clusterroles"): ("ClusterRole", False),
}
BUILT_IN = {("", "pods"), ("", "services"), ("apps", "deployments"), ("rbac.authorization.k8s.io", "clusterroles")}
# The resources a client may create (POST), replace (PUT) and merge-patch (PATCH).
WRITABLE = {("wgpolicyk8s.io", "policyreports"), ("wgpolicyk8s.io", "clusterpolicyreports"), ("", "events"),
            ("coordination.k8s.io", "leases"), ("signet.dev", "admissionreports")}
KINDS = {(g, v, kind): (g, v, plural) for (g, v, plural), (kind, _) in RESOURCES.items()}


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certificates(directory):
    """A test CA, a server certificate for 127.0.0.1/localhost, and a client certificate for a user."""
    private = os.path.join(directory, "private")
    os.makedirs(private, exist_ok=True)
    ca_key, ca_crt = os.path.join(private, "ca.key"), os.path.join(directory, "ca.crt")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-days", "2", "-subj", "/CN=signet test kubernetes CA", "-keyout", ca_key,
            "-out", ca_crt)
    out = {}
    for name, subject, ext in (
            ("server", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
            ("client", "/O=signet-testers/CN=signet-test-user", "extendedKeyUsage=clientAuth\n")):
        key = os.path.join(private if name == "server" else directory, name + ".key")
        csr, crt = os.path.join(private, name + ".csr"), os.path.join(private if name == "server" else directory,
                                                                       name + ".crt")
        ext_file = os.path.join(private, name + ".ext")
        with open(ext_file, "w") as f:
            f.write(ext)
        openssl("req", *ec, "-subj", subject, "-keyout", key, "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-CAserial",
                os.path.join(private, "ca.srl"), "-days", "2", "-extfile", ext_file, "-out", crt)
        out[name] = (crt, key)
    return ca_crt, out["server"]


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


def selected_by(selector, labels):
    """Whether `labels` match a labelSelector of equality terms: k=v, k==v, k!=v, k, !k."""
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class Store:
    """Objects by (group, plural, namespace, name), one resourceVersion counter, the event history."""

    def __init__(self):
        self.lock = threading.Condition()
        self.rv = 100
        self.objects = {}
        self.history = []  # (rv, group, plural, event type, object)
        self.compacted = 0  # watches from below this are too old
        self.faults = {}
        self.requests = []
        self.writes = []

    def put(self, obj, event=None):
        api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
        group, _, version = api_version.rpartition("/")
        key3 = KINDS.get((group, version, kind))
        if key3 is None:
            raise ValueError("not a served kind: %s %s" % (api_version, kind))
        meta = obj.setdefault("metadata", {})
        namespaced = RESOURCES[key3][1]
        if namespaced:
            meta.setdefault("namespace", "default")
        else:
            meta.pop("namespace", None)
        key = (group, key3[2], meta.get("namespace", ""), meta["name"])
        with self.lock:
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            meta.setdefault("uid", "uid-%d" % self.rv)
            meta.setdefault("creationTimestamp", "2024-05-01T10:00:00Z")
            meta["generation"] = meta.get("generation", 0) + 1
            if event is None:
                event = "MODIFIED" if key in self.objects else "ADDED"
            self.objects[key] = obj
            self.history.append((self.rv, group, key3[2], event, json.loads(json.dumps(obj))))
            self.lock.notify_all()
        return obj

    def delete(self, obj):
        group, _, version = obj.get("apiVersion", "").rpartition("/")
        key3 = KINDS.get((group, version, obj.get("kind", "")))
        if key3 is None:
            return None
        meta = obj.get("metadata", {})
        key = (group, key3[2], meta.get("namespace", "default") if RESOURCES[key3][1] else "", meta.get("name"))
        with self.lock:
            gone = self.objects.pop(key, None)
            if gone is None:
                return None
            self.rv += 1
            gone = json.loads(json.dumps(gone))
            gone["metadata"]["resourceVersion"] = str(self.rv)
            self.history.append((self.rv, group, key3[2], "DELETED", gone))
            self.lock.notify_all()
        return gone

    def items(self, group, plural, namespace, selector=""):
        with self.lock:
            selected = [o for (g, p, ns, _), o in self.objects.items()
                        if g == group and p == plural and (not namespace or ns == namespace)
                        and selected_by(selector, o["metadata"].get("labels") or {})]
            return self.rv, sorted(selected, key=lambda o: (o["metadata"].get("namespace", ""),
                                                             o["metadata"]["name"]))

    def take_fault(self, name):
        with self.lock:
            return self.faults.pop(name, None)


STORE = Store()
ARGS = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, code):
        with STORE.lock:
            STORE.requests.append("%s %s %d" % (self.command, self.path, code))

    def send_json(self, code, body, record=True):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if record:
            self.record(code)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    # --- control -------------------------------------------------------------------------------------
    def control(self):
        if self.command == "GET" and self.path == "/_test/requests":
            with STORE.lock:
                text = "".join(r + "\n" for r in STORE.requests).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        if self.command == "GET" and self.path == "/_test/writes":
            with STORE.lock:
                return self.send_json(200, STORE.writes, record=False)
        if self.command == "GET" and self.path.startswith("/_test/object?"):
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            parsed = self.parse_path(query.get("path", ""))
            with STORE.lock:
                obj = STORE.objects.get((parsed[0], parsed[2], parsed[3], parsed[4])) if parsed else None
            return self.send_json(200 if obj else 404, obj or {}, record=False)
        body = self.read_body()
        if self.path == "/_test/objects":
            try:
                self.send_json(200, STORE.put(body), record=False)
            except (ValueError, KeyError) as e:
                self.send_json(400, {"error": str(e)}, record=False)
        elif self.path == "/_test/delete":
            gone = STORE.delete(body)
            self.send_json(200 if gone else 404, gone or {}, record=False)
        elif self.path == "/_test/fault":
            with STORE.lock:
                if body.get("compact"):
                    STORE.compacted = STORE.rv
                    STORE.history = []
                else:
                    STORE.faults.update(body)
            self.send_json(200, {}, record=False)
        else:
            self.send_json(404, {}, record=False)

    # --- the API ---------------------------------------------------------------------------------------
    def authenticated(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            try:
                with open(os.path.join(ARGS.dir, "tokens")) as f:
                    tokens = {line.strip() for line in f if line.strip()}
            except OSError:
                tokens = set()
            return auth[len("Bearer "):] in tokens
        if not ARGS.plain_http and self.connection.getpeercert():
            return True
        return False

    def parse_path(self, path):
        """(group, version, plural, namespace, name) of an API path, or None."""
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        namespace = ""
        if len(rest) >= 2 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 2:
            return None
        return group, version, rest[0], namespace, rest[1] if len(rest) == 2 else ""

    def hang(self):
        with STORE.lock:
            seconds = STORE.faults.get("hang") or 0
        if seconds:
            time.sleep(seconds)

    def do_GET(self):
        if self.path.startswith("/_test/"):
            return self.control()
        self.hang()
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if not self.authenticated():
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        if self.take_failure():
            return
        parts = [p for p in url.path.split("/") if p]
        if parts == ["api", "v1"] or (len(parts) == 3 and parts[0] == "apis"):
            listed = discovery(*(("", "v1") if parts[0] == "api" else (parts[1], parts[2])))
            if listed is None:
                return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return self.send_json(200, listed)
        parsed = self.parse_path(url.path)
        if parsed is None or parsed[:3] not in RESOURCES:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        group, version, plural, namespace, name = parsed
        kind, namespaced = RESOURCES[(group, version, plural)]
        watching = query.get("watch") in ("true", "1")
        verb = "get" if name else ("watch" if watching else "list")
        full = plural + ("." + group if group else "")
        if full in ARGS.forbid:
            scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
            message = ('%s is forbidden: User "system:serviceaccount:signet:signet" cannot %s resource "%s" in API '
                       'group "%s" %s' % (full if not name else '%s "%s"' % (full, name), verb, plural, group, scope))
            return self.send_json(403, status(403, "Forbidden", message, {"group": group, "kind": plural}))
        api_version = group + "/" + version if group else version
        if name:
            with STORE.lock:
                obj = STORE.objects.get((group, plural, namespace, name))
            if obj is None:
                return self.send_json(404, status(404, "NotFound", '%s "%s" not found' % (full, name),
                                                  {"name": name, "group": group, "kind": plural}))
            return self.send_json(200, obj)
        if watching:
            return self.watch(group, plural, namespace, kind, api_version, query)
        return self.list(group, plural, namespace, kind, api_version, query)

    def take_failure(self):
        """The fault {"fail_next": METHOD}: this request answered 500, nothing done."""
        with STORE.lock:
            if STORE.faults.get("fail_next") != self.command:
                return False
            del STORE.faults["fail_next"]
        self.send_json(500, status(500, "InternalError", "Internal error occurred: injected by the test"))
        return True

    def list(self, group, plural, namespace, kind, api_version, query):
        rv, items = STORE.items(group, plural, namespace, query.get("labelSelector", ""))
        start = 0
        if query.get("continue"):
            if STORE.take_fault("expire_continue"):
                return self.send_json(410, status(410, "Expired", "The provided continue parameter is too old to "
                                                  "display a consistent list result. You can start a new list "
                                                  "without the continue parameter."))
            token = json.loads(base64.b64decode(query["continue"]))
            rv, start = token["rv"], token["start"]
        limit = int(query.get("limit") or 0)
        end = start + limit if limit else len(items)
        meta = {"resourceVersion": str(rv)}
        if end < len(items):
            meta["continue"] = base64.b64encode(json.dumps({"rv": rv, "start": end}).encode()).decode()
            meta["remainingItemCount"] = len(items) - end
        self.send_json(200, {"apiVersion": api_version, "kind": kind + "List", "metadata": meta,
                             "items": items[start:end]})

    def chunk(self, event):
        data = (json.dumps(event) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, group, plural, namespace, kind, api_version, query):
        if STORE.take_fault("watch_gone") == "status":
            return self.send_json(410, status(410, "Expired", "too old resource version: %s" %
                                              query.get("resourceVersion", "")))
        drop_after = STORE.take_fault("drop_watch_after")
        bookmarks = query.get("allowWatchBookmarks") == "true"
        timeout = float(query.get("timeoutSeconds") or 1800)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.record(200)
        start = query.get("resourceVersion", "")
        sent = 0
        ends = time.monotonic() + timeout
        next_bookmark = time.monotonic() + ARGS.bookmark_interval

        def matches(g, p, obj):
            return g == group and p == plural and (not namespace or obj["metadata"].get("namespace") == namespace)

        pending = []
        with STORE.lock:
            if start in ("", "0"):
                # No resourceVersion: the current objects as ADDED, then what follows.
                last = STORE.rv
                _, items = STORE.items(group, plural, namespace)
                pending = [{"type": "ADDED", "object": o} for o in items]
            elif int(start) < STORE.compacted:
                last = None
                pending = [{"type": "ERROR", "object": status(410, "Expired", "too old resource version: %s (%d)" %
                                                              (start, STORE.compacted))}]
            else:
                last = int(start)
        try:
            while True:
                for event in pending:
                    if drop_after is not None and sent >= drop_after:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self.chunk(event)
                    sent += 1
                if last is None:  # after an ERROR event the API server ends the watch
                    break
                with STORE.lock:
                    now = time.monotonic()
                    if now >= ends:
                        break
                    newer = [h for h in STORE.history if h[0] > last and matches(h[1], h[2], h[4])]
                    if not newer:
                        STORE.lock.wait(min(ends, next_bookmark) - now)
                        newer = [h for h in STORE.history if h[0] > last and matches(h[1], h[2], h[4])]
                    pending = [{"type": h[3], "object": h[4]} for h in newer]
                    if newer:
                        last = newer[-1][0]
                    elif bookmarks and time.monotonic() >= next_bookmark:
                        last = STORE.rv
                        pending = [{"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api_version,
                                                                  "metadata": {"resourceVersion": str(last)}}}]
                    if time.monotonic() >= next_bookmark:
                        next_bookmark = time.monotonic() + ARGS.bookmark_interval
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def do_POST(self):
        if self.path.startswith("/_test/"):
            return self.control()
        self.write("create")

    def do_PUT(self):
        self.write("update")

    def do_PATCH(self):
        self.write("patch")

    def do_DELETE(self):
        self.write("delete")

    def write(self, verb):
        """create (POST to a collection), update (PUT of an object), patch (merge-patch of an object), delete."""
        self.hang()
        if self.take_failure():
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        code, answer = self.written(verb, raw)
        with STORE.lock:
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode(errors="replace")
            STORE.writes.append({"method": self.command, "path": self.path, "status": code, "body": body})
        self.send_json(code, answer)

    def written(self, verb, raw):
        if not self.authenticated():
            return 401, status(401, "Unauthorized", "Unauthorized")
        url = urllib.parse.urlsplit(self.path)
        dry_run = dict(urllib.parse.parse_qsl(url.query)).get("dryRun") == "All"
        parsed = self.parse_path(url.path)
        if parsed is None or parsed[:3] not in RESOURCES or (
                (parsed[0], parsed[2]) not in WRITABLE and not (dry_run and verb == "create")):
            return 405, status(405, "MethodNotAllowed", "the test API server does not take writes here")
        group, version, plural, namespace, name = parsed
        kind, namespaced = RESOURCES[(group, version, plural)]
        full = plural + ("." + group if group else "")
        if full in ARGS.forbid:
            scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
            return 403, status(403, "Forbidden", '%s is forbidden: User "system:serviceaccount:signet:signet" cannot '
                                                 '%s resource "%s" in API group "%s" %s' % (full, verb, plural, group,
                                                                                            scope))
        if (verb == "create") == bool(name) or (namespaced and not namespace):
            return 405, status(405, "MethodNotAllowed", "%s is not allowed on %s" % (self.command, self.path))
        if verb == "patch" and self.headers.get("Content-Type") != "application/merge-patch+json":
            return 415, status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                                            "accepted media types include: application/json-patch+json, "
                                                            "application/merge-patch+json, "
                                                            "application/apply-patch+yaml")
        if verb == "delete":
            return self.deleted(group, plural, namespace, name, full, raw)
        try:
            body = json.loads(raw)
        except ValueError as e:
            return 400, status(400, "BadRequest", "the body is not JSON: %s" % e)
        if not isinstance(body, dict):
            return 400, status(400, "BadRequest", "the body is not a JSON object")
        with STORE.lock:
            if verb == "patch":
                current = STORE.objects.get((group, plural, namespace, name))
                if current is None:
                    return 404, status(404, "NotFound", '%s "%s" not found' % (full, name))
                body = merge_patch(json.loads(json.dumps(current)), body)
            meta = body.setdefault("metadata", {}) if isinstance(body.get("metadata", {}), dict) else None
            if meta is None:
                return 400, status(400, "BadRequest", "metadata is not an object")
            api_version = group + "/" + version if group else version
            if body.get("apiVersion", api_version) != api_version or body.get("kind", kind) != kind:
                return 400, status(400, "BadRequest", "the body is a %s %s, not a %s %s" % (
                    body.get("apiVersion"), body.get("kind"), api_version, kind))
            body["apiVersion"], body["kind"] = api_version, kind
            if namespaced:
                if meta.get("namespace", namespace) != namespace:
                    return 400, status(400, "BadRequest", "the namespace of the provided object does not match "
                                                          "the namespace sent on the request")
                meta["namespace"] = namespace
            if verb == "create" and not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(random.choice("bcdfghjklmnpqrstvwxz2456789")
                                                              for _ in range(5))
            if not meta.get("name"):
                return 422, status(422, "Invalid", "%s is invalid: metadata.name: Required value" % kind)
            if name and meta["name"] != name:
                return 400, status(400, "BadRequest", "the name of the object (%s) does not match the name on the "
                                                      "URL (%s)" % (meta["name"], name))
            key = (group, plural, namespace, meta["name"])
            if verb == "update" and key in STORE.objects and STORE.take_fault("write_before_next_update"):
                STORE.put(json.loads(json.dumps(STORE.objects[key])))  # another client's write, just before
            current = STORE.objects.get(key)
            if verb == "create" and dry_run:
                return dry_run_created(group, plural, kind, body)
            if verb == "create":
                if current is not None:
                    return 409, status(409, "AlreadyExists", '%s "%s" already exists' % (full, meta["name"]),
                                       {"name": meta["name"], "group": group, "kind": plural})
                meta.pop("resourceVersion", None)
                return 201, STORE.put(body, "ADDED")
            if current is None:
                return 404, status(404, "NotFound", '%s "%s" not found' % (full, name))
            stored = current["metadata"]
            if verb == "update" and meta.get("resourceVersion") not in (None, "", stored["resourceVersion"]):
                return 409, status(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has been '
                                                    'modified; please apply your changes to the latest version and '
                                                    'try again' % (full, name),
                                   {"name": name, "group": group, "kind": plural})
            for field in ("uid", "creationTimestamp", "generation"):
                if field in stored:
                    meta[field] = stored[field]
            return 200, STORE.put(body, "MODIFIED")

    def deleted(self, group, plural, namespace, name, full, raw):
        try:
            options = json.loads(raw or b"{}")
        except ValueError as e:
            return 400, status(400, "BadRequest", "the body is not JSON: %s" % e)
        preconditions = (options or {}).get("preconditions") or {}
        with STORE.lock:
            current = STORE.objects.get((group, plural, namespace, name))
            if current is None:
                return 404, status(404, "NotFound", '%s "%s" not found' % (full, name),
                                   {"name": name, "group": group, "kind": plural})
            stored = current["metadata"]
            for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
                if preconditions.get(field) not in (None, stored.get(field)):
                    return 409, status(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": Precondition '
                                                        'failed: %s in precondition: %s, %s in object meta: %s' % (
                                                            full, name, label, preconditions[field], label,
                                                            stored.get(field)),
                                       {"name": name, "group": group, "kind": plural})
            return 200, STORE.delete(current)


def discovery(group, version):
    """The APIResourceList of a group version, or None when none of its resources is served."""
    resources = []
    for (g, v, plural), (kind, namespaced) in sorted(RESOURCES.items()):
        if (g, v) != (group, version):
            continue
        verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
        resources.append({"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
                          "verbs": verbs})
        if (g, plural) in BUILT_IN:
            resources.append({"name": plural + "/status", "singularName": "", "namespaced": namespaced,
                              "kind": kind, "verbs": ["get", "patch", "update"]})
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group + "/" + version if group else version,
            "resources": resources}


def default_pod_spec(spec):
    """The API server's defaults for a pod spec (pkg/apis/core/v1/defaults.go)."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        image = container.get("image", "")
        latest = image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1] and "@" not in image
        container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})
        for port in container.get("ports", []):
            port.setdefault("protocol", "TCP")


def dry_run_created(group, plural, kind, body):
    """`body` as a dry-run create answers it, or (code, Status) when the real validation refuses it."""
    meta = body["metadata"]
    meta["uid"] = "dry-run-uid-%s" % meta["name"]
    meta["creationTimestamp"] = "2024-05-01T10:00:00Z"
    meta["managedFields"] = [{"manager": "signet", "operation": "Update", "apiVersion": body["apiVersion"],
                              "time": "2024-05-01T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {}}]
    spec = body.setdefault("spec", {}) if plural in ("pods", "services", "deployments") else None
    if plural == "deployments":
        if not spec.get("selector"):
            return 422, status(422, "Invalid", 'Deployment.apps "%s" is invalid: spec.selector: Required value' %
                               meta["name"], {"name": meta["name"], "group": group, "kind": kind})
        meta["generation"] = 1
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault("strategy", {"type": "RollingUpdate",
                                     "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        template = spec.setdefault("template", {})
        template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
        default_pod_spec(template.setdefault("spec", {}))
        body["status"] = {}
    elif plural == "pods":
        default_pod_spec(spec)
        body["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    elif plural == "services":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        spec.setdefault("clusterIP", "10.96.0.42")
        for port in spec.get("ports", []):
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
    return 201, body


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


def load_fixture(path):
    with open(path) as f:
        data = json.load(f)
    items = data.get("items", []) if isinstance(data, dict) and "items" in data else (
        data if isinstance(data, list) else [data])
    for obj in items:
        STORE.put(obj)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("port", type=int)
    parser.add_argument("--fixtures", action="append", default=[])
    parser.add_argument("--token")
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--bookmark-interval", type=float, default=1.0)
    parser.add_argument("--plain-http", action="store_true")
    parser.add_argument("--without-group", action="append", default=[],
                        help="serve none of this API group's resources, as when its CRDs are not installed")
    ARGS = parser.parse_args()
    for key in [k for k in RESOURCES if k[0] in ARGS.without_group]:
        del RESOURCES[key]
    KINDS.clear()
    KINDS.update({(g, v, kind): (g, v, plural) for (g, v, plural), (kind, _) in RESOURCES.items()})
    os.makedirs(ARGS.dir, exist_ok=True)
    if ARGS.token:
        with open(os.path.join(ARGS.dir, "tokens"), "w") as f:
            f.write(ARGS.token + "\n")
    for path in ARGS.fixtures:
        load_fixture(path)
    if not ARGS.plain_http:  # before listening: a client that can connect finds DIR/ca.crt
        ca, (crt, key) = make_certificates(ARGS.dir)
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    if not ARGS.plain_http:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(crt, key)
        context.load_verify_locations(ca)
        context.verify_mode = ssl.CERT_OPTIONAL
        server.socket = context.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(ARGS.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
