#!/usr/bin/python3
"""Sign an image in a registry exactly as `cosign sign --key` stores the signature, with openssl doing the
crypto (so the signer shares no code with signet).

usage: cosign_sign.py REGISTRY REPO DIGEST KEY.pem [options]
  REGISTRY   host:port of the registry (HTTPS unless --plain-http)
  REPO       repository, e.g. team/app
  DIGEST     the image's manifest digest, sha256:<hex>
  KEY.pem    an unencrypted private key (make_key.py's PREFIX.pem): ECDSA and RSA sign the SHA-256 of the
             payload, Ed25519 signs the payload itself (as cosign does)
options:
  --ca FILE              CA bundle for HTTPS (registry.py's DIR/ca.crt)
  --creds USER:PASS      credentials (basic auth, or for the token server of a bearer challenge)
  --plain-http           talk plain HTTP
  --claim-digest D       put digest D in the payload instead of DIGEST (a signature for another image)
  --identity REF         the payload's docker-reference (default REGISTRY/REPO)
  --annotation K=V       add K=V to the payload's "optional" map (repeatable)
  --corrupt              flip a bit of the signature (a signature that cannot verify)
  --bundle-annotation J  add J (a JSON text) as the layer's dev.sigstore.cosign/bundle annotation
  --attest FILE          store an in-toto attestation instead, as `cosign attest --key`: the predicate is
                         FILE's JSON, wrapped in an in-toto Statement (subject: REGISTRY/REPO and DIGEST, or
                         --claim-digest), in a DSSE envelope signed over its PAE, a layer of the
                         sha256-<hex>.att manifest
  --type URI             the attestation's predicateType (with --attest; default https://cosign.sigstore.dev/attestation/v1)
  --statement-type URI   the Statement's _type (default https://in-toto.io/Statement/v0.1)

The signature becomes a layer of mediaType application/vnd.dev.cosign.simplesigning.v1+json, with the
base64 signature in its dev.cosignproject.cosign/signature annotation, in the OCI manifest tagged
sha256-<hex>.sig; signatures already there are kept (the layer is appended), and the config blob is written
as cosign writes it. Prints the digest of the signature manifest.
"""
import argparse
import base64
import datetime
import hashlib
import json
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"
IN_TOTO = "application/vnd.in-toto+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"


def compact(document):
    """JSON as Go's encoding/json writes it: no spaces, fields in struct order."""
    return json.dumps(document, separators=(",", ":")).encode()


class Registry:
    """Just enough of the Distribution API to read and write a signature manifest, with basic or bearer auth."""

    def __init__(self, host, repo, ca, creds, plain_http):
        self.base = ("http://" if plain_http else "https://") + host
        self.repo = repo
        self.context = None if plain_http else ssl.create_default_context(cafile=ca)
        self.basic = "Basic " + base64.b64encode(creds.encode()).decode() if creds else None
        self.authorization = None

    def call(self, method, path, data=None, headers=None):
        url = path if path.startswith("http") else self.base + path
        for attempt in range(2):
            request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
            if self.authorization:
                request.add_header("Authorization", self.authorization)
            try:
                return urllib.request.urlopen(request, context=self.context)
            except urllib.error.HTTPError as e:
                if e.code != 401 or attempt == 1:
                    raise
                self.authorization = self.answer(e.headers.get("WWW-Authenticate", ""))

    def answer(self, challenge):
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "basic":
            if not self.basic:
                sys.exit("cosign_sign.py: the registry wants credentials (--creds)")
            return self.basic
        if scheme.lower() != "bearer":
            sys.exit("cosign_sign.py: unsupported challenge " + challenge)
        fields = dict(urllib.request.parse_keqv_list(urllib.request.parse_http_list(params)))
        query = {"scope": "repository:%s:pull,push" % self.repo}
        if fields.get("service"):
            query["service"] = fields["service"]
        request = urllib.request.Request(fields["realm"] + "?" + urllib.parse.urlencode(query))
        if self.basic:
            request.add_header("Authorization", self.basic)
        reply = json.load(urllib.request.urlopen(request, context=self.context))
        return "Bearer " + (reply.get("token") or reply["access_token"])

    def manifest(self, tag):
        try:
            return json.load(self.call("GET", "/v2/%s/manifests/%s" % (self.repo, tag),
                                       headers={"Accept": OCI_MANIFEST}))
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def push_blob(self, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        location = self.call("POST", "/v2/%s/blobs/uploads/" % self.repo).headers["Location"]
        location = urllib.parse.urljoin(self.base + "/", location)
        separator = "&" if "?" in location else "?"
        self.call("PUT", location + separator + "digest=" + urllib.parse.quote(digest), data,
                  {"Content-Type": "application/octet-stream"})
        return digest

    def put_manifest(self, tag, data):
        self.call("PUT", "/v2/%s/manifests/%s" % (self.repo, tag), data, {"Content-Type": OCI_MANIFEST})


def sign(payload, key, corrupt):
    description = subprocess.run(["openssl", "pkey", "-in", key, "-noout", "-text"], check=True,
                                 capture_output=True, text=True).stdout
    if description.startswith("ED25519"):
        with tempfile.NamedTemporaryFile() as message:  # pkeyutl -rawin reads the message from a file
            message.write(payload)
            message.flush()
            signature = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", message.name],
                                       check=True, capture_output=True).stdout
    else:
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=payload, check=True,
                                   capture_output=True).stdout
    if corrupt:
        signature = signature[:-1] + bytes([signature[-1] ^ 0x01])
    return base64.b64encode(signature).decode()


def attestation(args):
    """The layer cosign attest writes: a DSSE envelope holding the in-toto Statement, signed over its PAE."""
    with open(args.attest) as f:
        predicate = json.load(f)
    digest = args.claim_digest or args.digest
    statement = compact({
        "_type": args.statement_type,
        "predicateType": args.type,
        "subject": [{"name": "%s/%s" % (args.registry, args.repo), "digest": {"sha256": digest.split(":", 1)[1]}}],
        "predicate": predicate,
    })
    pae = b"DSSEv1 %d %s %d %s" % (len(IN_TOTO), IN_TOTO.encode(), len(statement), statement)
    envelope = compact({
        "payloadType": IN_TOTO,
        "payload": base64.b64encode(statement).decode(),
        "signatures": [{"keyid": "", "sig": sign(pae, args.key, args.corrupt)}],
    })
    return envelope, DSSE_ENVELOPE, {SIGNATURE_ANNOTATION: "", "predicateType": args.type}, ".att"


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("registry")
    parser.add_argument("repo")
    parser.add_argument("digest")
    parser.add_argument("key")
    parser.add_argument("--ca")
    parser.add_argument("--creds")
    parser.add_argument("--plain-http", action="store_true")
    parser.add_argument("--claim-digest")
    parser.add_argument("--identity")
    parser.add_argument("--annotation", action="append", default=[])
    parser.add_argument("--corrupt", action="store_true")
    parser.add_argument("--bundle-annotation")
    parser.add_argument("--attest")
    parser.add_argument("--type", default="https://cosign.sigstore.dev/attestation/v1")
    parser.add_argument("--statement-type", default="https://in-toto.io/Statement/v0.1")
    args = parser.parse_args()
    if not args.digest.startswith("sha256:") or len(args.digest) != 71:
        sys.exit("cosign_sign.py: DIGEST must be sha256:<64 hex>")
    for kv in args.annotation:
        if "=" not in kv:
            sys.exit("cosign_sign.py: --annotation wants K=V, not " + kv)
    if args.bundle_annotation is not None:
        json.loads(args.bundle_annotation)  # refuse text that is not JSON

    if args.attest:
        payload, media_type, annotations, suffix = attestation(args)
    else:
        optional = dict(kv.split("=", 1) for kv in args.annotation) or None
        payload = compact({
            "critical": {
                "identity": {"docker-reference": args.identity or "%s/%s" % (args.registry, args.repo)},
                "image": {"docker-manifest-digest": args.claim_digest or args.digest},
                "type": "cosign container image signature",
            },
            "optional": optional,
        })
        media_type, suffix = SIMPLE_SIGNING, ".sig"
        annotations = {SIGNATURE_ANNOTATION: sign(payload, args.key, args.corrupt)}
    if args.bundle_annotation is not None:
        annotations[BUNDLE_ANNOTATION] = args.bundle_annotation

    registry = Registry(args.registry, args.repo, args.ca, args.creds, args.plain_http)
    tag = args.digest.replace(":", "-") + suffix
    existing = registry.manifest(tag)
    layers = existing.get("layers", []) if existing else []
    layers.append({"mediaType": media_type, "size": len(payload), "digest": registry.push_blob(payload),
                   "annotations": annotations})
    # The config cosign writes: an empty image config whose rootfs lists the signature layers.
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = compact({
        "architecture": "",
        "created": created,
        "history": [{"created": "0001-01-01T00:00:00Z"} for _ in layers],
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
        "config": {},
    })
    manifest = compact({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "size": len(config), "digest": registry.push_blob(config)},
        "layers": layers,
    })
    registry.put_manifest(tag, manifest)
    print("sha256:" + hashlib.sha256(manifest).hexdigest())


if __name__ == "__main__":
    main()
