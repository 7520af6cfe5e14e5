#!/usr/bin/env node
// Sign a container image keyless the way `cosign sign` (without --key) stores it, with @sigstore/sign
// against the services of mock_sigstore.js: a simple-signing payload signed by an ephemeral key, the
// Fulcio certificate and chain, the Rekor entry's SET (and optionally an RFC 3161 timestamp), carried as
// annotations of one layer of the `sha256-<hex>.sig` manifest.
//
// usage: node cosign_keyless.js URL REGISTRY/REPO@sha256:HEX OUTDIR [options]
//   OUTDIR gets payload.json        the layer's bytes
//               signature           dev.cosignproject.cosign/signature (base64 DER ECDSA over payload.json)
//               cert.pem, chain.pem dev.sigstore.cosign/certificate and /chain
//               rekor-bundle.json   dev.sigstore.cosign/bundle: {SignedEntryTimestamp, Payload: {body,
//                                   integratedTime, logIndex, logID}}
//               rfc3161.json        dev.sigstore.cosign/rfc3161timestamp: {SignedRFC3161Timestamp} (--tsa)
//               layer.json          the layer descriptor with its annotations
//   --push         append the layer to REGISTRY/REPO:sha256-<hex>.sig (layers already there are kept);
//                  prints the new manifest's digest
//   --plain-http   HTTP to the registry     --ca FILE   CA for HTTPS     --creds USER:PASS   credentials
//                  (basic auth, or for the token server of a Bearer challenge)
//   --identity ID, --issuer URL, --claims JSON   as for sign.js;   --tsa   also an RFC 3161 timestamp
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const sign = require('@sigstore/sign');
const { parseArgs, die, toPem, sha256, identityToken, fetchOptions } = require('./common');

const usage = 'cosign_keyless.js URL REGISTRY/REPO@sha256:HEX OUTDIR [--push] [--plain-http] [--ca FILE] [--creds USER:PASS]'
  + ' [--identity ID] [--issuer URL] [--claims JSON] [--tsa]';
const { opts, rest: [url, image, outDir] } = parseArgs(process.argv.slice(2), {
  '--push': 'flag', '--plain-http': 'flag', '--ca': 'value', '--creds': 'value',
  '--identity': 'value', '--issuer': 'value', '--claims': 'value', '--tsa': 'flag',
}, usage);
const ref = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image || '');
if (!outDir || !ref) die(`usage: ${usage}`, 2);
const [, registry, repo, digest] = ref;
const digestOf = (data) => `sha256:${sha256(data).toString('hex')}`;

// The registry client: enough of the distribution API to push blobs and a manifest.
let authorization = opts.creds ? `Basic ${Buffer.from(opts.creds).toString('base64')}` : undefined;
function request(method, target, body, headers = {}) {
  const u = new URL(target, `${opts['plain-http'] ? 'http' : 'https'}://${registry}`);
  const ca = opts.ca ? fs.readFileSync(opts.ca) : undefined;
  const auth = authorization ? { Authorization: authorization } : {};
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).request(u, { method, ca, headers: { ...auth, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
// Answers a Bearer challenge (docker's token spec) once, then retries with the token.
async function call(method, target, body, headers) {
  let res = await request(method, target, body, headers);
  const challenge = /^Bearer (.*)$/i.exec(res.headers['www-authenticate'] || '');
  if (res.status !== 401 || !challenge) return res;
  const params = Object.fromEntries([...challenge[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const tokenUrl = new URL(params.realm);
  for (const k of ['service', 'scope']) if (params[k]) tokenUrl.searchParams.set(k, params[k]);
  const basic = opts.creds ? `Basic ${Buffer.from(opts.creds).toString('base64')}` : undefined;
  authorization = basic;
  const tok = await request('GET', tokenUrl.href);
  if (tok.status !== 200) die(`token server ${tokenUrl.origin}: HTTP ${tok.status}`);
  const reply = JSON.parse(tok.body);
  authorization = `Bearer ${reply.token || reply.access_token}`;
  res = await request(method, target, body, headers);
  return res;
}
async function pushBlob(data) {
  const start = await call('POST', `/v2/${repo}/blobs/uploads/`);
  if (start.status !== 202) die(`starting a blob upload: HTTP ${start.status} ${start.body}`);
  const put = new URL(start.headers.location, `${opts['plain-http'] ? 'http' : 'https'}://${registry}`);
  put.searchParams.set('digest', digestOf(data));
  const done = await call('PUT', put.href, data, { 'Content-Type': 'application/octet-stream' });
  if (done.status !== 201) die(`uploading a blob: HTTP ${done.status} ${done.body}`);
  return { digest: digestOf(data), size: data.length };
}

async function main() {
  // cosign's simple-signing payload, in cosign's key order
  const payload = Buffer.from(JSON.stringify({
    critical: {
      identity: { 'docker-reference': `${registry}/${repo}` },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  }));
  const token = identityToken({ identity: opts.identity, issuer: opts.issuer, claims: JSON.parse(opts.claims || '{}') });
  const signer = new sign.FulcioSigner({ fulcioBaseURL: url, identityProvider: { getToken: async () => token }, ...fetchOptions });
  const witnesses = [new sign.RekorWitness({ rekorBaseURL: url, ...fetchOptions })];
  if (opts.tsa) witnesses.push(new sign.TSAWitness({ tsaBaseURL: url, ...fetchOptions }));
  const bundle = await new sign.MessageSignatureBundleBuilder({ signer, witnesses }).create({ data: payload });

  // cosign keeps the bundle's parts apart, as annotations
  const vm = bundle.verificationMaterial;
  const entry = vm.tlogEntries[0];
  const trust = await (await fetch(`${url}/api/v2/trustBundle`)).json();
  const annotations = {
    'dev.cosignproject.cosign/signature': bundle.content.messageSignature.signature.toString('base64'),
    'dev.sigstore.cosign/certificate': toPem(vm.content.x509CertificateChain.certificates[0].rawBytes),
    'dev.sigstore.cosign/chain': trust.chains[0].certificates.join(''),
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
  const timestamp = vm.timestampVerificationData.rfc3161Timestamps[0];
  if (timestamp) {
    annotations['dev.sigstore.cosign/rfc3161timestamp'] = JSON.stringify({ SignedRFC3161Timestamp: timestamp.signedTimestamp.toString('base64') });
  }
  const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: payload.length, digest: digestOf(payload), annotations };

  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    'payload.json': payload,
    signature: annotations['dev.cosignproject.cosign/signature'],
    'cert.pem': annotations['dev.sigstore.cosign/certificate'],
    'chain.pem': annotations['dev.sigstore.cosign/chain'],
    'rekor-bundle.json': annotations['dev.sigstore.cosign/bundle'],
    'rfc3161.json': annotations['dev.sigstore.cosign/rfc3161timestamp'],
    'layer.json': `${JSON.stringify(layer, null, 2)}\n`,
  };
  for (const [name, data] of Object.entries(files)) if (data !== undefined) fs.writeFileSync(path.join(outDir, name), data);

  if (opts.push) {
    const tag = `${digest.replace(':', '-')}.sig`;
    const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
    const old = await call('GET', `/v2/${repo}/manifests/${tag}`, undefined, { Accept: ociManifest });
    if (old.status !== 200 && old.status !== 404) die(`reading ${tag}: HTTP ${old.status} ${old.body}`);
    const layers = [...(old.status === 200 ? JSON.parse(old.body).layers : []), layer];
    await pushBlob(payload);
    // the config cosign writes: an image config whose rootfs lists the layers
    const config = await pushBlob(Buffer.from(JSON.stringify({
      architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {},
    })));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers,
    }));
    const put = await call('PUT', `/v2/${repo}/manifests/${tag}`, manifest, { 'Content-Type': ociManifest });
    if (put.status !== 201) die(`writing ${tag}: HTTP ${put.status} ${put.body}`);
    console.log(digestOf(manifest));
  }
}

main().catch((e) => die(`${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`));
