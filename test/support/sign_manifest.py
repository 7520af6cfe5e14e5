#!/usr/bin/python3
"""Sign a Kubernetes object in sigstore's k8s-manifest-sigstore format, independently of signet.

usage: sign_manifest.py OBJECT.json KEY.pem [--index N] [--domain D] [--tar] [--also OTHER.json ...]

Written from the format's description: the `<domain>/message` annotation holds base64(gzip(M)), where M
is the signed YAML (JSON is YAML) or, with --tar, gzip(tar of YAML files) as `kubectl sigstore sign`
makes it; `<domain>/signature` (or `signature_N` with --index N) holds the base64 of a signature over M
made as cosign signs a blob: `openssl dgst -sha256 -sign KEY`. --also adds more objects to the signed
file. Prints the object, annotated, as JSON. With --index the message already on OBJECT is kept.
"""
import argparse, base64, gzip, io, json, subprocess, sys, tarfile


def signed_bytes(documents, as_tar):
    text = "\n---\n".join(json.dumps(d, indent=2) for d in documents).encode()
    if not as_tar:
        return text
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for i, document in enumerate(documents):
            data = json.dumps(document, indent=2).encode()
            info = tarfile.TarInfo(f"manifests/doc-{i}.yaml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(archive.getvalue())


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("object")
    parser.add_argument("key")
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--domain", default="cosign.sigstore.dev")
    parser.add_argument("--tar", action="store_true")
    parser.add_argument("--also", nargs="*", default=[])
    args = parser.parse_args()
    obj = json.load(open(args.object))
    annotations = obj.setdefault("metadata", {}).setdefault("annotations", {})
    message_key = f"{args.domain}/message"
    if args.index > 0:
        message = annotations[message_key]
        payload = gzip.decompress(base64.b64decode(message))
    else:
        clean = json.loads(json.dumps(obj))
        clean["metadata"].pop("annotations", None)
        documents = [clean] + [json.load(open(path)) for path in args.also]
        payload = signed_bytes(documents, args.tar)
        message = base64.b64encode(gzip.compress(payload)).decode()
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key], input=payload,
                               check=True, capture_output=True).stdout
    annotations[message_key] = message
    suffix = f"_{args.index}" if args.index > 0 else ""
    annotations[f"{args.domain}/signature{suffix}"] = base64.b64encode(signature).decode()
    json.dump(obj, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
