#!/usr/bin/python3
"""Write a tiny OCI image layout to DIR and print its manifest digest.

usage: make_image.py DIR [TEXT]

The image has one layer holding one file, hello.txt, whose content is TEXT (random when omitted, so each
image is unique). Everything is deterministic given TEXT: the tar and gzip headers carry mtime 0, so the
same TEXT always gives the same digest. Push it with `skopeo copy oci:DIR:latest docker://HOST/REPO:TAG`.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def compact(document):
    return json.dumps(document, separators=(",", ":"), sort_keys=False).encode()


def make_image(directory, text):
    blobs = os.path.join(directory, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as f:
            f.write(data)
        return "sha256:" + digest

    content = text.encode()
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode, info.uname, info.gname = len(content), 0, 0o644, "", ""
        archive.addfile(info, io.BytesIO(content))
    layer_tar = tar.getvalue()
    layer = gzip.compress(layer_tar, mtime=0)
    config = compact({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/hello"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_tar).hexdigest()]},
    })
    manifest = compact({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(layer),
                    "size": len(layer)}],
    })
    manifest_digest = put(manifest)
    with open(os.path.join(directory, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(directory, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": manifest_digest, "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, f)
    return manifest_digest


def main(argv):
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    text = argv[1] if len(argv) == 2 else os.urandom(16).hex()
    print(make_image(argv[0], text))


if __name__ == "__main__":
    main(sys.argv[1:])
