#!/usr/bin/env node
// Sign a container image with a key the way `cosign sign --key` does when it uploads to Rekor (cosign's
// default): the simple-signing payload signed with the key, a Rekor hashedrekord 0.0.1 entry naming the
// public key logged with the mock Rekor of mock_sigstore.js by @sigstore/sign, and the entry's SET carried
// in the layer's `dev.sigstore.cosign/bundle` annotation.
//
// usage: node cosign_key_rekor.js URL REGISTRY/REPO@sha256:HEX KEY.pem OUTDIR [--push]
//   KEY.pem        an unencrypted ECDSA P-256 private key (PKCS#8 PEM, as test/support/make_key.py writes)
//   OUTDIR gets    payload.json, signature, rekor-bundle.json, layer.json (as cosign_keyless.js)
//   --push         append the layer to REGISTRY/REPO:sha256-<hex>.sig over plain HTTP, without credentials
//                  (loopback test registries); prints the new manifest's digest
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const sign = require('@sigstore/sign');
const { parseArgs, die, sha256, fetchOptions } = require('./common');

const usage = 'cosign_key_rekor.js URL REGISTRY/REPO@sha256:HEX KEY.pem OUTDIR [--push]';
const { opts, rest: [url, image, keyFile, outDir] } = parseArgs(process.argv.slice(2), { '--push': 'flag' }, usage);
const ref = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image || '');
if (!outDir || !ref) die(`usage: ${usage}`, 2);
const [, registry, repo, digest] = ref;
const digestOf = (data) => `sha256:${sha256(data).toString('hex')}`;

// A @sigstore/sign Signer holding a key of its own instead of a Fulcio certificate.
function keySigner(privateKey) {
  const publicKey = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
  return {
    sign: async (data) => ({
      signature: crypto.sign('sha256', data, privateKey),
      key: { $case: 'publicKey', publicKey },
    }),
  };
}

async function registryCall(method, target, body, headers = {}) {
  const res = await fetch(new URL(target, `http://${registry}`), { method, body, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function pushBlob(data) {
  const start = await registryCall('POST', `/v2/${repo}/blobs/uploads/`);
  if (start.status !== 202) die(`starting a blob upload: HTTP ${start.status} ${start.body}`);
  const put = new URL(start.headers.get('location'), `http://${registry}`);
  put.searchParams.set('digest', digestOf(data));
  const done = await registryCall('PUT', put.href, data, { 'Content-Type': 'application/octet-stream' });
  if (done.status !== 201) die(`uploading a blob: HTTP ${done.status} ${done.body}`);
  return { digest: digestOf(data), size: data.length };
}

async function main() {
  const payload = Buffer.from(JSON.stringify({
    critical: {
      identity: { 'docker-reference': `${registry}/${repo}` },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  }));
  const signer = keySigner(crypto.createPrivateKey(fs.readFileSync(keyFile)));
  const witnesses = [new sign.RekorWitness({ rekorBaseURL: url, ...fetchOptions })];
  const bundle = await new sign.MessageSignatureBundleBuilder({ signer, witnesses }).create({ data: payload });
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const annotations = {
    'dev.cosignproject.cosign/signature': bundle.content.messageSignature.signature.toString('base64'),
    'dev.sigstore.cosign/bundle': JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: entry.canonicalizedBody.toString('base64'),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId.keyId.toString('hex'),
      },
    }),
  };
  const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: payload.length, digest: digestOf(payload), annotations };

  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    'payload.json': payload,
    signature: annotations['dev.cosignproject.cosign/signature'],
    'rekor-bundle.json': annotations['dev.sigstore.cosign/bundle'],
    'layer.json': `${JSON.stringify(layer, null, 2)}\n`,
  };
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), data);

  if (opts.push) {
    const tag = `${digest.replace(':', '-')}.sig`;
    const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
    const old = await registryCall('GET', `/v2/${repo}/manifests/${tag}`, undefined, { Accept: ociManifest });
    if (old.status !== 200 && old.status !== 404) die(`reading ${tag}: HTTP ${old.status} ${old.body}`);
    const layers = [...(old.status === 200 ? JSON.parse(old.body).layers : []), layer];
    await pushBlob(payload);
    const config = await pushBlob(Buffer.from(JSON.stringify({
      architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {},
    })));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers,
    }));
    const put = await registryCall('PUT', `/v2/${repo}/manifests/${tag}`, manifest, { 'Content-Type': ociManifest });
    if (put.status !== 201) die(`writing ${tag}: HTTP ${put.status} ${put.body}`);
    console.log(digestOf(manifest));
  }
}

main().catch((e) => die(`${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`));
