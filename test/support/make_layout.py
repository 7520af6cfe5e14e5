#!/usr/bin/python3
"""Build an OCI image layout holding images and their cosign signatures and attestations, named as
signet's --oci-layout reads them.

usage:
  make_layout.py DIR image REGISTRY/REPO:TAG [--text TEXT]        -> prints the image's digest
  make_layout.py DIR sign REGISTRY/REPO:TAG KEY.pem [--attest FILE] [--type URI] [--statement-type URI]
                 [--claim-digest D] [--identity REF] [--annotation K=V]... [--corrupt]
                                                                  -> prints the signature manifest's digest
  make_layout.py DIR attach REGISTRY/REPO:TAG --layer MEDIA_TYPE=FILE [--layer ...] --artifact-type T
                                                                  -> prints the referrer's digest

Every entry of DIR/index.json carries the annotation org.opencontainers.image.ref.name: the full reference
"REGISTRY/REPO:TAG" for an image (what `skopeo copy ... oci:DIR:REGISTRY/REPO:TAG` writes), and
"REGISTRY/REPO:sha256-<hex>.sig" / ".att" for its cosign signature and attestation manifests (the tags
cosign gives them in a registry). `image` writes make_image.py's image (deterministic given TEXT).
`sign` signs the image the layout names REGISTRY/REPO:TAG exactly as cosign_sign.py signs in a registry
(its payload and sign() are used), appending a layer to the .sig manifest, or to the .att manifest with
--attest. `attach` adds an OCI 1.1 artifact whose subject is the image (a referrer), without a name.
DIR is created when missing; entries already there are kept.
"""
import argparse
import datetime
import hashlib
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cosign_sign  # noqa: E402
import make_image  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
EMPTY_CONFIG = "application/vnd.oci.empty.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"


def split_reference(reference):
    """REGISTRY/REPO:TAG -> (REGISTRY, REPO, TAG); the registry part must be explicit."""
    name, colon, tag = reference.rpartition(":")
    if not colon or "/" in tag or "/" not in name:
        sys.exit("make_layout.py: %s is not REGISTRY/REPO:TAG" % reference)
    registry, _, repo = name.partition("/")
    if "." not in registry and ":" not in registry and registry != "localhost":
        sys.exit("make_layout.py: %s does not start with a registry host" % reference)
    return registry, repo, tag


class Layout:
    def __init__(self, directory):
        self.directory = directory
        self.blobs = os.path.join(directory, "blobs", "sha256")
        os.makedirs(self.blobs, exist_ok=True)
        with open(os.path.join(directory, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        index_path = os.path.join(directory, "index.json")
        if os.path.exists(index_path):
            with open(index_path) as f:
                self.index = json.load(f)
        else:
            self.index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": []}

    def put(self, data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.blobs, digest), "wb") as f:
            f.write(data)
        return "sha256:" + digest

    def get(self, digest):
        with open(os.path.join(self.blobs, digest.split(":", 1)[1]), "rb") as f:
            return f.read()

    def entry(self, name):
        for m in self.index["manifests"]:
            if m.get("annotations", {}).get(REF_NAME) == name:
                return m
        return None

    def add(self, manifest, name=None):
        """Stores a manifest and lists it in index.json (replacing the entry of the same name)."""
        digest = self.put(manifest)
        descriptor = {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(manifest)}
        if name:
            descriptor["annotations"] = {REF_NAME: name}
            self.index["manifests"] = [m for m in self.index["manifests"]
                                       if m.get("annotations", {}).get(REF_NAME) != name]
        self.index["manifests"].append(descriptor)
        with open(os.path.join(self.directory, "index.json"), "w") as f:
            json.dump(self.index, f)
        return digest

    def digest_of(self, reference):
        entry = self.entry(reference)
        if not entry:
            sys.exit("make_layout.py: the layout has no image named " + reference)
        return entry["digest"]


def add_image(layout, reference, text):
    split_reference(reference)
    with tempfile.TemporaryDirectory() as scratch:
        digest = make_image.make_image(scratch, text)
        blobs = os.path.join(scratch, "blobs", "sha256")
        for name in os.listdir(blobs):
            with open(os.path.join(blobs, name), "rb") as f:
                layout.put(f.read())
    layout.add(layout.get(digest), reference)
    return digest


def sign(layout, reference, args):
    registry, repo, _ = split_reference(reference)
    digest = layout.digest_of(reference)
    if args.attest:
        options = argparse.Namespace(attest=args.attest, claim_digest=args.claim_digest, digest=digest,
                                     statement_type=args.statement_type, type=args.type, registry=registry,
                                     repo=repo, key=args.key, corrupt=args.corrupt)
        payload, media_type, annotations, suffix = cosign_sign.attestation(options)
    else:
        optional = dict(kv.split("=", 1) for kv in args.annotation) or None
        payload = cosign_sign.compact({
            "critical": {
                "identity": {"docker-reference": args.identity or "%s/%s" % (registry, repo)},
                "image": {"docker-manifest-digest": args.claim_digest or digest},
                "type": "cosign container image signature",
            },
            "optional": optional,
        })
        media_type, suffix = cosign_sign.SIMPLE_SIGNING, ".sig"
        annotations = {cosign_sign.SIGNATURE_ANNOTATION: cosign_sign.sign(payload, args.key, args.corrupt)}

    name = "%s/%s:%s%s" % (registry, repo, digest.replace(":", "-"), suffix)
    existing = layout.entry(name)
    layers = json.loads(layout.get(existing["digest"]))["layers"] if existing else []
    layers.append({"mediaType": media_type, "size": len(payload), "digest": layout.put(payload),
                   "annotations": annotations})
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = cosign_sign.compact({
        "architecture": "", "created": created, "history": [{"created": "0001-01-01T00:00:00Z"} for _ in layers],
        "os": "", "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]}, "config": {},
    })
    manifest = cosign_sign.compact({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "size": len(config), "digest": layout.put(config)},
        "layers": layers,
    })
    return layout.add(manifest, name)


def attach(layout, reference, args):
    digest = layout.digest_of(reference)
    subject = layout.entry(reference)
    layers = []
    for spec in args.layer:
        media_type, equals, path = spec.partition("=")
        if not equals:
            sys.exit("make_layout.py: --layer wants MEDIA_TYPE=FILE, not " + spec)
        with open(path, "rb") as f:
            data = f.read()
        layers.append({"mediaType": media_type, "size": len(data), "digest": layout.put(data)})
    config = b"{}"
    manifest = cosign_sign.compact({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": args.artifact_type,
        "config": {"mediaType": EMPTY_CONFIG, "size": len(config), "digest": layout.put(config)},
        "layers": layers,
        "subject": {"mediaType": subject["mediaType"], "digest": digest, "size": subject["size"]},
    })
    return layout.add(manifest)


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("dir")
    parser.add_argument("action", choices=["image", "sign", "attach"])
    parser.add_argument("reference")
    parser.add_argument("key", nargs="?")
    parser.add_argument("--text")
    parser.add_argument("--attest")
    parser.add_argument("--type", default="https://cosign.sigstore.dev/attestation/v1")
    parser.add_argument("--statement-type", default="https://in-toto.io/Statement/v0.1")
    parser.add_argument("--claim-digest")
    parser.add_argument("--identity")
    parser.add_argument("--annotation", action="append", default=[])
    parser.add_argument("--corrupt", action="store_true")
    parser.add_argument("--layer", action="append", default=[])
    parser.add_argument("--artifact-type", default="application/vnd.example.artifact")
    args = parser.parse_args()
    layout = Layout(args.dir)
    if args.action == "image":
        print(add_image(layout, args.reference, args.text if args.text is not None else os.urandom(16).hex()))
    elif args.action == "sign":
        if not args.key:
            sys.exit("make_layout.py: sign needs KEY.pem")
        print(sign(layout, args.reference, args))
    else:
        print(attach(layout, args.reference, args))


if __name__ == "__main__":
    main()
