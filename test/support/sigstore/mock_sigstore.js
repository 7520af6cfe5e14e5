#!/usr/bin/env node
// Mock Sigstore services on one loopback HTTP port, built from @sigstore/mock: Fulcio (CA + CT log),
// Rekor v1 and an RFC 3161 TSA. Every start is a new trust domain with fresh keys.
//
// usage: node mock_sigstore.js OUTDIR [--port N]
//   OUTDIR gets trusted_root.json (naming these services), fulcio-chain.pem, rekor.pub, ctlog.pub,
//   tsa-chain.pem (leaf first), url and server.pid; then "READY <url>" goes to stdout.
//   Stop it with SIGTERM (kill $(cat OUTDIR/server.pid)).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { parseArgs, die, toPem, fromPem, sha256, isEmail } = require('./common');

const usage = 'mock_sigstore.js OUTDIR [--port N]';
const { opts, rest: [outDir] } = parseArgs(process.argv.slice(2), { '--port': 'value' }, usage);
if (!outDir) die(`usage: ${usage}`, 2);

// The mock CA puts every subject in a URI SAN; real Fulcio gives e-mail identities an rfc822Name. Re-type
// them in the @peculiar/x509 copy the mock uses (it looks the class up on the module at issue time).
const fromMock = (name) => require(require.resolve(name, { paths: [path.dirname(require.resolve('@sigstore/mock'))] }));
fromMock('reflect-metadata');
const x509 = fromMock('@peculiar/x509');
const UriOnlySan = x509.SubjectAlternativeNameExtension;
x509.SubjectAlternativeNameExtension = class extends UriOnlySan {
  constructor(names, ...more) {
    const retyped = Array.isArray(names)
      ? names.map((n) => (n.type === 'url' && isEmail(n.value) ? { type: 'email', value: n.value } : n)) : names;
    super(retyped, ...more);
  }
};
const mock = require('@sigstore/mock');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

// Rekor stores keys and certificates as Go's pem.Encode writes them (64 columns); sigstore-js sends others.
const canonicalPem = (b64) => {
  const pem = Buffer.from(b64, 'base64').toString();
  return Buffer.from(toPem(fromPem(pem), /BEGIN ([A-Z ]+)-----/.exec(pem)[1])).toString('base64');
};
const hashOf = (data) => ({ algorithm: 'sha256', value: sha256(data).toString('hex') });

// The mock logs the proposed entry verbatim; real Rekor logs a canonical body derived from it. Verifiers
// compare that body with the bundle, so make the same one.
function canonicalEntry(e) {
  switch (`${e.kind}/${e.apiVersion}`) {
    case 'hashedrekord/0.0.1':
      e.spec.signature.publicKey.content = canonicalPem(e.spec.signature.publicKey.content);
      return e;
    case 'dsse/0.0.1': { // the envelope is replaced by its hash, the payload by its hash
      const { envelope, verifiers } = e.spec.proposedContent;
      const env = JSON.parse(envelope);
      const signatures = env.signatures.map((s, i) => ({
        signature: s.sig, verifier: canonicalPem(verifiers[Math.min(i, verifiers.length - 1)]),
      })).sort((a, b) => a.signature.localeCompare(b.signature));
      return {
        apiVersion: '0.0.1', kind: 'dsse',
        spec: { envelopeHash: hashOf(envelope), payloadHash: hashOf(Buffer.from(env.payload, 'base64')), signatures },
      };
    }
    case 'intoto/0.0.2': { // the envelope is kept without its payload (which sigstore-js double-encodes)
      const content = e.spec.content;
      content.payloadHash = hashOf(Buffer.from(Buffer.from(content.envelope.payload, 'base64').toString(), 'base64'));
      delete content.envelope.payload;
      content.envelope.signatures.forEach((s) => { s.publicKey = canonicalPem(s.publicKey); });
      return e;
    }
    default:
      return e;
  }
}

async function main() {
  const server = http.createServer();
  await new Promise((ready) => server.listen(Number(opts.port || 0), '127.0.0.1', ready));
  const url = `http://127.0.0.1:${server.address().port}`;

  const keys = (curve) => crypto.generateKeyPairSync('ec', { namedCurve: curve });
  const ctlog = await mock.initializeCTLog(keys('prime256v1'));
  const ca = await mock.initializeCA(keys('secp384r1'), ctlog); // P-384 and ecdsa-with-SHA384, as Fulcio
  const tlog = await mock.initializeTLog(url, keys('prime256v1')); // checkpoint origin names url's host:port
  // @sigstore/core refuses a genTime with 1 or 2 fraction digits, which the mock writes ("…13.37Z"): keep
  // the TSA's clock (read from this object) on whole seconds.
  const tsaClock = new Date();
  const tsa = await mock.initializeTSA(keys('prime256v1'), tsaClock);
  const fulcio = mock.fulcioHandler(ca);
  const timestamp = mock.tsaHandler(tsa);

  // Valid from a minute ago: integratedTime is in whole seconds and may round down below "now".
  const start = new Date(Math.floor(Date.now() / 1000 - 60) * 1000).toISOString();
  const b64 = (bytes) => Buffer.from(bytes).toString('base64');
  const log = (spki) => ({
    baseUrl: url, // @sigstore/verify finds the checkpoint's key by matching its origin against this
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(spki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
    logId: { keyId: b64(sha256(spki)) },
  });
  const authority = (commonName, uri, ders) => ({
    subject: { organization: 'sigstore.mock', commonName }, uri,
    certChain: { certificates: ders.map((d) => ({ rawBytes: b64(d) })) }, validFor: { start },
  });
  // Round-tripped through protobuf-specs so that a wrong field name cannot slip through.
  const trustedRoot = TrustedRoot.toJSON(TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [log(tlog.publicKey)],
    certificateAuthorities: [authority('sigstore', url, [ca.rootCertificate])],
    ctlogs: [log(ctlog.publicKey)],
    timestampAuthorities: [authority('tsa', `${url}/api/v1/timestamp`, [tsa.intCertificate, tsa.rootCertificate])],
  }));
  const files = {
    'trusted_root.json': `${JSON.stringify(trustedRoot, null, 2)}\n`,
    'fulcio-chain.pem': toPem(ca.rootCertificate),
    'rekor.pub': toPem(tlog.publicKey, 'PUBLIC KEY'),
    'ctlog.pub': toPem(ctlog.publicKey, 'PUBLIC KEY'),
    'tsa-chain.pem': toPem(tsa.intCertificate) + toPem(tsa.rootCertificate),
  };

  const json = (status, body) => ({ status, type: 'application/json', body: JSON.stringify(body) });
  const routes = {
    'POST /api/v2/signingCert': async (body) => {
      const r = await fulcio.fn(body);
      if (r.statusCode !== 201) return { status: r.statusCode, type: 'text/plain', body: r.response };
      const reply = JSON.parse(r.response); // Fulcio wraps PEM at 64 columns, the mock does not
      const chain = reply.signedCertificateEmbeddedSct.chain;
      chain.certificates = chain.certificates.map((c) => toPem(fromPem(c)));
      return json(201, reply);
    },
    'POST /api/v1/log/entries': async (body) => json(201, await tlog.log(canonicalEntry(JSON.parse(body)))),
    'POST /api/v1/timestamp': async (body) => {
      tsaClock.setTime(Math.floor(Date.now() / 1000) * 1000);
      const r = await timestamp.fn(body);
      return { status: r.statusCode, type: r.contentType || 'text/plain', body: r.response };
    },
    'GET /api/v2/trustBundle': async () => json(200, { chains: [{ certificates: [files['fulcio-chain.pem']] }] }),
    'GET /api/v1/log/publicKey': async () => ({ status: 200, type: 'application/x-pem-file', body: files['rekor.pub'] }),
    'GET /api/v1/timestamp/certchain': async () => ({ status: 200, type: 'application/pem-certificate-chain', body: files['tsa-chain.pem'] }),
    'GET /trusted_root.json': async () => ({ status: 200, type: 'application/json', body: files['trusted_root.json'] }),
  };

  server.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const route = `${req.method} ${new URL(req.url, url).pathname}`;
      let reply = { status: 404, type: 'text/plain', body: `no such endpoint: ${route}\n` };
      try {
        if (routes[route]) reply = await routes[route](Buffer.concat(chunks).toString());
      } catch (e) {
        reply = { status: 400, type: 'text/plain', body: `${e.message}\n` };
      }
      console.error(`mock_sigstore: ${route} -> ${reply.status}`);
      res.writeHead(reply.status, { 'Content-Type': reply.type });
      res.end(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body));
    });
  });

  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), data);
  fs.writeFileSync(path.join(outDir, 'url'), `${url}\n`);
  fs.writeFileSync(path.join(outDir, 'server.pid'), `${process.pid}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`READY ${url}`);
}

main().catch((e) => die(e.stack || e.message));
