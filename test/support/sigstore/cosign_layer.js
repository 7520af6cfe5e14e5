// What cosign_keyless.js and cosign_key_rekor.js share: cosign's simple-signing payload, the
// `dev.sigstore.cosign/bundle` annotation of a Rekor entry, the output folder, and a registry client that
// appends a layer to the image's `sha256-<hex>.sig` manifest as `cosign sign` does.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { die, sha256 } = require('./common');

const digestOf = (data) => `sha256:${sha256(data).toString('hex')}`;

// cosign's simple-signing payload, in cosign's key order.
function simpleSigningPayload(registry, repo, digest) {
  return Buffer.from(JSON.stringify({
    critical: {
      identity: { 'docker-reference': `${registry}/${repo}` },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  }));
}

// The annotation cosign keeps a Rekor entry's SET in: {SignedEntryTimestamp, Payload}.
function rekorBundleAnnotation(entry) {
  return JSON.stringify({
    SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
    Payload: {
      body: entry.canonicalizedBody.toString('base64'),
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: entry.logId.keyId.toString('hex'),
    },
  });
}

// Writes each file that has content into `outDir`.
function writeOutputs(outDir, files) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, data] of Object.entries(files)) if (data !== undefined) fs.writeFileSync(path.join(outDir, name), data);
}

// Enough of the distribution API to push blobs and a manifest, over HTTP or HTTPS (`ca`), with basic
// credentials or the token of a Bearer challenge (docker's token spec), answered once.
function registryClient({ registry, repo, plainHttp = false, ca, creds }) {
  const base = `${plainHttp ? 'http' : 'https'}://${registry}`;
  const basic = creds ? `Basic ${Buffer.from(creds).toString('base64')}` : undefined;
  let authorization = basic;
  function request(method, target, body, headers = {}) {
    const u = new URL(target, base);
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
  async function call(method, target, body, headers) {
    const res = await request(method, target, body, headers);
    const challenge = /^Bearer (.*)$/i.exec(res.headers['www-authenticate'] || '');
    if (res.status !== 401 || !challenge) return res;
    const params = Object.fromEntries([...challenge[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const tokenUrl = new URL(params.realm);
    for (const k of ['service', 'scope']) if (params[k]) tokenUrl.searchParams.set(k, params[k]);
    authorization = basic;
    const tok = await request('GET', tokenUrl.href);
    if (tok.status !== 200) die(`token server ${tokenUrl.origin}: HTTP ${tok.status}`);
    const reply = JSON.parse(tok.body);
    authorization = `Bearer ${reply.token || reply.access_token}`;
    return request(method, target, body, headers);
  }
  async function pushBlob(data) {
    const start = await call('POST', `/v2/${repo}/blobs/uploads/`);
    if (start.status !== 202) die(`starting a blob upload: HTTP ${start.status} ${start.body}`);
    const put = new URL(start.headers.location, base);
    put.searchParams.set('digest', digestOf(data));
    const done = await call('PUT', put.href, data, { 'Content-Type': 'application/octet-stream' });
    if (done.status !== 201) die(`uploading a blob: HTTP ${done.status} ${done.body}`);
    return { digest: digestOf(data), size: data.length };
  }
  return { call, pushBlob };
}

// Appends `layer` (whose bytes are `payload`) to `sha256-<hex>.sig`, keeping the layers already there;
// returns the new manifest's digest.
async function appendSignatureLayer(client, repo, digest, payload, layer) {
  const tag = `${digest.replace(':', '-')}.sig`;
  const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
  const old = await client.call('GET', `/v2/${repo}/manifests/${tag}`, undefined, { Accept: ociManifest });
  if (old.status !== 200 && old.status !== 404) die(`reading ${tag}: HTTP ${old.status} ${old.body}`);
  const layers = [...(old.status === 200 ? JSON.parse(old.body).layers : []), layer];
  await client.pushBlob(payload);
  // the config cosign writes: an image config whose rootfs lists the layers
  const config = await client.pushBlob(Buffer.from(JSON.stringify({
    architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {},
  })));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers,
  }));
  const put = await client.call('PUT', `/v2/${repo}/manifests/${tag}`, manifest, { 'Content-Type': ociManifest });
  if (put.status !== 201) die(`writing ${tag}: HTTP ${put.status} ${put.body}`);
  return digestOf(manifest);
}

module.exports = { digestOf, simpleSigningPayload, rekorBundleAnnotation, writeOutputs, registryClient, appendSignatureLayer };
