#!/usr/bin/python3
"""Push an OCI artifact: an image manifest whose layers are the given files, optionally naming a subject
(OCI 1.1 referrers) and kept in the subject's `sha256-<hex>` referrers index (the tag schema that
registries without the referrers API use), or tagged as given (cosign's `.att` and `.sig` tags).

usage: push_artifact.py REGISTRY REPO --layer MEDIA_TYPE=FILE [--layer ...] [options]
options:
  --artifact-type T   the manifest's artifactType (and the descriptor's in the referrers index)
  --subject DIGEST    the manifest's subject: the image it refers to
  --referrers-index   add the manifest to the subject's sha256-<hex> referrers index (needs --subject)
  --tag TAG           also tag the manifest TAG
  --ca FILE / --creds USER:PASS / --plain-http   as cosign_sign.py
Prints the digest of the pushed manifest.
"""
import argparse
import hashlib
import json
import os
import sys
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cosign_sign import OCI_CONFIG, OCI_MANIFEST, Registry, compact  # noqa: E402

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY_CONFIG = "application/vnd.oci.empty.v1+json"


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("registry")
    parser.add_argument("repo")
    parser.add_argument("--layer", action="append", required=True)
    parser.add_argument("--artifact-type")
    parser.add_argument("--subject")
    parser.add_argument("--referrers-index", action="store_true")
    parser.add_argument("--tag")
    parser.add_argument("--ca")
    parser.add_argument("--creds")
    parser.add_argument("--plain-http", action="store_true")
    args = parser.parse_args()
    if args.referrers_index and not args.subject:
        sys.exit("push_artifact.py: --referrers-index needs --subject")

    registry = Registry(args.registry, args.repo, args.ca, args.creds, args.plain_http)
    layers = []
    for spec in args.layer:
        media_type, _, path = spec.partition("=")
        with open(path, "rb") as f:
            data = f.read()
        layers.append({"mediaType": media_type, "digest": registry.push_blob(data), "size": len(data)})
    config = b"{}"
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": EMPTY_CONFIG if args.artifact_type else OCI_CONFIG,
                           "digest": registry.push_blob(config), "size": len(config)},
                "layers": layers}
    if args.artifact_type:
        manifest["artifactType"] = args.artifact_type
    if args.subject:
        subject = registry.call("HEAD", "/v2/%s/manifests/%s" % (args.repo, args.subject),
                                headers={"Accept": OCI_MANIFEST + ", " + OCI_INDEX})
        manifest["subject"] = {"mediaType": subject.headers["Content-Type"], "digest": args.subject,
                               "size": int(subject.headers["Content-Length"])}
    body = compact(manifest)

    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    registry.put_manifest(digest, body)
    if args.tag:
        registry.put_manifest(args.tag, body)

    if args.referrers_index:
        index_tag = args.subject.replace(":", "-")
        try:
            index = json.load(registry.call("GET", "/v2/%s/manifests/%s" % (args.repo, index_tag),
                                            headers={"Accept": OCI_INDEX}))
        except urllib.error.HTTPError as e:
            if e.code != 404:
                raise
            index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
        entry = {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(body)}
        if args.artifact_type:
            entry["artifactType"] = args.artifact_type
        index["manifests"].append(entry)
        registry.call("PUT", "/v2/%s/manifests/%s" % (args.repo, index_tag), compact(index),
                      {"Content-Type": OCI_INDEX})
    print(digest)


if __name__ == "__main__":
    main()
