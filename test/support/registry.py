#!/usr/bin/python3
"""Run Debian's docker-registry (distribution 2.8) on loopback for a test.

usage:
  registry.py start DIR PORT [--tls] [--htpasswd USER:PASS] [--token]
                          start it in the background, wait until /v2/ answers, print its pid
  registry.py stop DIR    stop what `start DIR` started
  registry.py free-port   print a free port on 127.0.0.1

  --tls                HTTPS with a certificate for 127.0.0.1 and localhost signed by a fresh test CA,
                       DIR/ca.crt
  --htpasswd USER:PASS basic auth (bcrypt htpasswd made with `htpasswd -Bbn`)
  --token              bearer-token auth: token_server.py runs beside the registry on another free port
                       (HTTPS with --tls) and is the realm of the registry's challenges; with --htpasswd
                       the token server, not the registry, checks USER:PASS

DIR holds everything: config.yml, storage/, registry.log, registry.pid (token.log, token.pid with
--token) and, with --tls, ca.crt. Keys live in DIR/private/, so DIR can be given to
`skopeo --dest-cert-dir` (skopeo takes every *.key there for a client key).
"""
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import token_server  # noqa: E402

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
NAMES = ("registry", "token")  # what start may run, each with DIR/NAME.pid


def die(message):
    print("registry.py: " + message, file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certificates(directory):
    """A fresh test CA (DIR/ca.crt) and a server certificate for 127.0.0.1 and localhost."""
    private = os.path.join(directory, "private")
    ca_key, ca_crt = os.path.join(private, "ca.key"), os.path.join(directory, "ca.crt")
    key, csr, crt = (os.path.join(private, n) for n in ("server.key", "server.csr", "server.crt"))
    ext = os.path.join(private, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-days", "2", "-subj", "/CN=signet test CA", "-keyout", ca_key, "-out", ca_crt)
    openssl("req", *ec, "-subj", "/CN=localhost", "-keyout", key, "-out", csr)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-CAserial", os.path.join(private, "ca.srl"), "-days", "2", "-extfile", ext, "-out", crt)
    return crt, key


def write_config(directory, port, tls, htpasswd, token_port):
    lines = [
        "version: 0.1",
        "log: {level: info, accesslog: {disabled: false}}",
        "storage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}" % os.path.join(directory, "storage"),
        "http:",
        "  addr: 127.0.0.1:%d" % port,
    ]
    if tls:
        crt, key = make_certificates(directory)
        lines.append("  tls: {certificate: %s, key: %s}" % (crt, key))
    if token_port:
        rootcertbundle = token_server.make_signing_key(directory)
        realm = "%s://127.0.0.1:%d/token" % ("https" if tls else "http", token_port)
        lines.append("auth: {token: {realm: %s, service: %s, issuer: %s, rootcertbundle: %s}}"
                     % (realm, token_server.SERVICE, token_server.ISSUER, rootcertbundle))
    elif htpasswd:
        user, _, password = htpasswd.partition(":")
        if not user or not _:
            die("--htpasswd wants USER:PASS")
        entry = subprocess.run(["htpasswd", "-Bbn", user, password], check=True, capture_output=True,
                               text=True).stdout.strip()
        path = os.path.join(directory, "htpasswd")
        with open(path, "w") as f:
            f.write(entry + "\n")
        lines.append("auth: {htpasswd: {realm: signet-test, path: %s}}" % path)
    with open(os.path.join(directory, "config.yml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def answers(url, context):
    """True once /v2/ answers at all (200, or 401 when auth is on)."""
    try:
        urllib.request.urlopen(url, timeout=1, context=context)
        return True
    except urllib.error.HTTPError as e:
        return e.code == 401
    except (urllib.error.URLError, OSError):
        return False


def spawn(directory, name, command):
    """Starts `command` in its own session (it outlives this script, and a test's Ctrl-C goes to the test
    only), logging to DIR/NAME.log and recording its pid in DIR/NAME.pid."""
    log = open(os.path.join(directory, name + ".log"), "ab")
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(directory, name + ".pid"), "w") as f:
        f.write(str(process.pid))
    return process


def wait_until_answering(directory, name, process, url, context):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop(directory)
            die("%s exited with %d; see %s/%s.log" % (name, process.returncode, directory, name))
        if answers(url, context):
            return
        time.sleep(0.05)
    stop(directory)
    die("%s did not answer at %s within %gs; see %s/%s.log" % (name, url, START_TIMEOUT, directory, name))


def start(directory, port, tls, htpasswd, token):
    directory = os.path.abspath(directory)
    if any(os.path.exists(os.path.join(directory, n + ".pid")) for n in NAMES):
        die("a registry is already running from %s (stop it first)" % directory)
    os.makedirs(os.path.join(directory, "storage"), exist_ok=True)
    os.makedirs(os.path.join(directory, "private"), exist_ok=True)
    token_port = free_port() if token else None
    write_config(directory, port, tls, htpasswd, token_port)
    scheme = "https" if tls else "http"
    context = ssl.create_default_context(cafile=os.path.join(directory, "ca.crt")) if tls else None
    if token:
        command = [sys.executable, token_server.__file__, directory, str(token_port)]
        command += ["--tls"] if tls else []
        command += ["--creds", htpasswd] if htpasswd else []
        process = spawn(directory, "token", command)
        wait_until_answering(directory, "token", process, "%s://127.0.0.1:%d/token" % (scheme, token_port), context)
    process = spawn(directory, "registry", ["docker-registry", "serve", os.path.join(directory, "config.yml")])
    wait_until_answering(directory, "registry", process, "%s://127.0.0.1:%d/v2/" % (scheme, port), context)
    print(process.pid)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def stop(directory):
    for name in NAMES:
        stop_one(os.path.join(os.path.abspath(directory), name + ".pid"))


def stop_one(pid_file):
    try:
        with open(pid_file) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return  # nothing running from there
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.remove(pid_file)


def main(argv):
    if len(argv) >= 1 and argv[0] == "free-port":
        print(free_port())
    elif len(argv) >= 3 and argv[0] == "start":
        directory, port, rest = argv[1], argv[2], argv[3:]
        tls, htpasswd, token = False, None, False
        while rest:
            option = rest.pop(0)
            if option == "--tls":
                tls = True
            elif option == "--token":
                token = True
            elif option == "--htpasswd" and rest:
                htpasswd = rest.pop(0)
            else:
                die("unknown option %s\n%s" % (option, __doc__))
        start(directory, int(port), tls, htpasswd, token)
    elif len(argv) == 2 and argv[0] == "stop":
        stop(argv[1])
    else:
        die("bad arguments\n" + __doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
