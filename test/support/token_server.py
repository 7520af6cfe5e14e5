#!/usr/bin/python3
"""A Docker registry token server (the distribution "token" auth spec) for tests; registry.py --token
starts it beside the registry.

usage: token_server.py DIR PORT [--tls] [--creds USER:PASS] [--expires-in SECONDS] [--refresh-token TOKEN]

GET /token?service=S&scope=repository:NAME:ACTIONS answers {"token": JWT, "access_token": JWT,
"expires_in": 300}: an ES256 JWT signed with DIR/private/token.key, whose certificate
(DIR/private/token.crt, the registry's rootcertbundle) travels in the x5c header. With --creds, requests
must carry those basic-auth credentials (401 otherwise); without, tokens are anonymous. With --tls it
serves HTTPS with DIR/private/server.crt (signed by DIR/ca.crt). --expires-in sets expires_in (and the
JWT's exp). With --refresh-token, only docker's OAuth2 form is served: POST /token with the
application/x-www-form-urlencoded fields grant_type=refresh_token, service, scope (space-separated),
client_id and refresh_token=TOKEN answers {"access_token": JWT, "expires_in": …}; another refresh token
is refused (400 invalid_grant), a GET too (401). Requests are logged to DIR/token.log, one line each:
"<scopes> <user, oauth or -> <status>".
"""
import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.parse

ISSUER = "signet-test-token-server"
SERVICE = "signet-test-registry"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_signature_to_raw(der, size=32):
    """ECDSA-Sig-Value (SEQUENCE of two INTEGERs) → r || s, as JWS ES256 wants."""
    if der[0] != 0x30:
        raise ValueError("not a DER ECDSA signature")
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    raw = b""
    for _ in range(2):
        if der[i] != 0x02:
            raise ValueError("not a DER INTEGER")
        length = der[i + 1]
        value = der[i + 2:i + 2 + length].lstrip(b"\0")
        raw += value.rjust(size, b"\0")
        i += 2 + length
    return raw


def make_signing_key(directory):
    """An EC P-256 key and its self-signed certificate: the registry trusts tokens signed by it."""
    private = os.path.join(directory, "private")
    key, crt = os.path.join(private, "token.key"), os.path.join(private, "token.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=" + ISSUER, "-keyout", key, "-out", crt],
                   check=True, capture_output=True)
    return crt


class TokenIssuer:
    def __init__(self, directory):
        private = os.path.join(directory, "private")
        self.key = os.path.join(private, "token.key")
        der = subprocess.run(["openssl", "x509", "-in", os.path.join(private, "token.crt"), "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.x5c = base64.b64encode(der).decode()

    def issue(self, subject, service, access, lifetime):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [self.x5c]}
        claims = {"iss": ISSUER, "sub": subject, "aud": service, "exp": now + lifetime, "nbf": now - 10, "iat": now,
                  "jti": os.urandom(8).hex(), "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=signing_input, check=True,
                             capture_output=True).stdout
        return signing_input.decode() + "." + b64url(der_signature_to_raw(der))


def access_for(scopes):
    """Grants what each scope asks: "repository:team/app:pull,push" → one access entry."""
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) >= 3 and parts[0] == "repository":
            access.append({"type": "repository", "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")})
    return access


def serve(directory, port, tls, creds, expires_in=300, refresh_token=None):
    issuer = TokenIssuer(directory)
    log = open(os.path.join(directory, "token.log"), "a", buffering=1)
    expected = "Basic " + base64.b64encode(creds.encode()).decode() if creds else None

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            scopes = query.get("scope", [])
            given = self.headers.get("Authorization")
            user = base64.b64decode(given[6:]).decode().split(":")[0] if given and given.startswith("Basic ") else "-"
            if url.path != "/token":
                return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]}, scopes, user)
            if refresh_token:
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "use the OAuth2 POST"}]},
                                  scopes, user)
            if expected and given != expected:
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                                  scopes, user, {"WWW-Authenticate": 'Basic realm="signet-test-token"'})
            token = issuer.issue(user if user != "-" else "", query.get("service", [SERVICE])[0], access_for(scopes),
                                 expires_in)
            self.reply(200, {"token": token, "access_token": token, "expires_in": expires_in}, scopes, user)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            field = lambda name: form.get(name, [""])[0]  # noqa: E731
            scopes = field("scope").split()
            if urllib.parse.urlsplit(self.path).path != "/token" or not refresh_token:
                return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]}, scopes, "oauth")
            if (self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded"
                    or field("grant_type") != "refresh_token" or not field("client_id") or not field("service")
                    or field("refresh_token") != refresh_token):
                return self.reply(400, {"error": "invalid_grant"}, scopes, "oauth")
            token = issuer.issue("oauth", field("service"), access_for(scopes), expires_in)
            self.reply(200, {"access_token": token, "expires_in": expires_in, "scope": field("scope")}, scopes, "oauth")

        def reply(self, status, document, scopes, user, headers=None):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            log.write("%s %s %d\n" % (" ".join(scopes) or "-", user, status))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        private = os.path.join(directory, "private")
        context.load_cert_chain(os.path.join(private, "server.crt"), os.path.join(private, "server.key"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    directory, port, rest = argv[0], int(argv[1]), argv[2:]
    tls, creds, expires_in, refresh_token = False, None, 300, None
    while rest:
        option = rest.pop(0)
        if option == "--tls":
            tls = True
        elif option == "--creds" and rest:
            creds = rest.pop(0)
        elif option == "--expires-in" and rest:
            expires_in = int(rest.pop(0))
        elif option == "--refresh-token" and rest:
            refresh_token = rest.pop(0)
        else:
            sys.exit("token_server.py: unknown option " + option)
    serve(directory, port, tls, creds, expires_in, refresh_token)


if __name__ == "__main__":
    main(sys.argv[1:])
