#!/usr/bin/env node
// Attach a Sigstore bundle to an image with @sigstore/oci, as GitHub's attest actions and
// `cosign --new-bundle-format` do: an OCI manifest whose one layer is the bundle, whose artifactType is
// the bundle's media type and whose subject is the image. On a registry without the referrers API
// (Debian's docker-registry 2.8) @sigstore/oci also appends it to the tag-schema index `sha256-<hex>`.
//
// usage: node attach_bundle.js REGISTRY/REPO@sha256:HEX BUNDLE.json [--creds USER:PASS]
//   @sigstore/oci speaks plain HTTP to 127.0.0.1 and localhost, HTTPS to any other host.
// Prints the digest of the manifest written.
'use strict';
const fs = require('fs');
const { attachArtifactToImage } = require('@sigstore/oci');
const { parseArgs, die } = require('./common');

const usage = 'attach_bundle.js REGISTRY/REPO@sha256:HEX BUNDLE.json [--creds USER:PASS]';
const { opts, rest: [image, bundlePath] } = parseArgs(process.argv.slice(2), { '--creds': 'value' }, usage);
const ref = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(image || '');
if (!bundlePath || !ref) die(`usage: ${usage}`, 2);

const bundle = JSON.parse(fs.readFileSync(bundlePath, 'utf8'));
const annotations = { 'dev.sigstore.bundle.content': bundle.dsseEnvelope ? 'dsse-envelope' : 'message-signature' };
if (bundle.dsseEnvelope) {
  try { // the predicate type, when the payload is an in-toto statement
    const { predicateType } = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64'));
    if (predicateType) annotations['dev.sigstore.bundle.predicateType'] = predicateType;
  } catch { /* another payload type */ }
}
const [username, ...password] = (opts.creds || '').split(':');

attachArtifactToImage({
  imageName: ref[1],
  imageDigest: ref[2],
  artifact: Buffer.from(JSON.stringify(bundle)),
  // an artifactType takes no media type parameters: v0.1/v0.2's "…bundle+json;version=0.x" is spelled as v0.3's
  mediaType: bundle.mediaType.replace(/^application\/vnd\.dev\.sigstore\.bundle\+json;version=(0\.\d)$/, 'application/vnd.dev.sigstore.bundle.v$1+json'),
  annotations,
  credentials: opts.creds ? { username, password: password.join(':') } : undefined,
}).then((d) => console.log(d.digest))
  .catch((e) => die(`${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`));
