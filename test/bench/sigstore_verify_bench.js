#!/usr/bin/env node
// @sigstore/verify's bundle verifications per second, the judge signet_bundle_bench is set beside: each
// verification reads the bundle's JSON, builds the signed entity and verifies it with the identity policy
// (the trust material is built once, as signet parses its trusted root once). Runs in one thread.
//
// usage: node sigstore_verify_bench.js FIXTURES SECONDS NAME...
//   FIXTURES  a folder written by test/support/sigstore/make_fixtures.sh
//   NAME      a bundle, FIXTURES/NAME.bundle.json; a message signature is verified over FIXTURES/blob.txt
// Prints one JSON line per bundle: {"bundle", "verifications", "seconds", "per_s"}; exits 1 if one fails.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

// The packages scripts/install-deps installs for test/support/sigstore.
const supportRequire = createRequire(path.join(__dirname, '..', 'support', 'sigstore', 'package.json'));
const { bundleFromJSON } = supportRequire('@sigstore/bundle');
const { TrustedRoot } = supportRequire('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = supportRequire('@sigstore/verify');

const [fixtures, secondsText, ...names] = process.argv.slice(2);
const seconds = Number(secondsText);
if (!fixtures || !(seconds > 0) || names.length === 0) {
  console.error('usage: node sigstore_verify_bench.js FIXTURES SECONDS NAME...');
  process.exit(2);
}

const read = (name) => fs.readFileSync(path.join(fixtures, name));
const firstLine = (name) => read(name).toString('utf8').split('\n')[0];
const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(read('trusted_root.json'))));
const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
const artifact = read('blob.txt');
// The policy is a pattern to @sigstore/verify; anchored and escaped, it admits exactly the identity.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const policy = {
  subjectAlternativeName: new RegExp(`^${escape(firstLine('identity'))}$`),
  extensions: { issuer: firstLine('issuer') },
};

function verifyOnce(text) {
  const bundle = bundleFromJSON(JSON.parse(text));
  const entity = toSignedEntity(bundle, bundle.content.$case === 'messageSignature' ? artifact : undefined);
  verifier.verify(entity, policy);
}

for (const name of names) {
  const text = read(`${name}.bundle.json`).toString('utf8');
  try {
    verifyOnce(text);
  } catch (e) {
    console.error(`sigstore_verify_bench.js: ${name}: ${e.code || e.name}: ${e.message}`);
    process.exit(1);
  }
  // A short warm-up, so the JIT has compiled the path before it is timed.
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(Math.min(0.5, seconds / 4) * 1e9));
  while (process.hrtime.bigint() < warmEnd) verifyOnce(text);
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    verifyOnce(text);
    count += 1;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  console.log(JSON.stringify({ bundle: name, verifications: count, seconds: elapsed, per_s: count / elapsed }));
}
