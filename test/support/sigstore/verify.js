#!/usr/bin/env node
// Verify a Sigstore bundle offline with @sigstore/verify, an independent verifier: a check that the
// fixtures are what real sigstore clients accept (and refuse).
//
// usage: node verify.js TRUSTED_ROOT.json BUNDLE.json [ARTIFACT] [--identity REGEX] [--issuer URL]
//                       [--tlogs N] [--timestamps N]
//   ARTIFACT        the signed file of a message-signature bundle (a DSSE bundle carries its payload)
//   --tlogs N       Rekor entries required (default 1); --timestamps N: verified times required (default 1)
// Prints "OK <SAN> <issuer>" and exits 0, or "FAIL <code>: <message>" and exits 1.
'use strict';
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { parseArgs, die } = require('./common');

const usage = 'verify.js TRUSTED_ROOT.json BUNDLE.json [ARTIFACT] [--identity REGEX] [--issuer URL] [--tlogs N] [--timestamps N]';
const { opts, rest: [rootPath, bundlePath, artifactPath] } = parseArgs(process.argv.slice(2), {
  '--identity': 'value', '--issuer': 'value', '--tlogs': 'value', '--timestamps': 'value',
}, usage);
if (!bundlePath) die(`usage: ${usage}`, 2);

try {
  const read = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
  const trust = toTrustMaterial(TrustedRoot.fromJSON(read(rootPath)));
  const verifier = new Verifier(trust, { tlogThreshold: Number(opts.tlogs ?? 1), timestampThreshold: Number(opts.timestamps ?? 1) });
  const entity = toSignedEntity(bundleFromJSON(read(bundlePath)), artifactPath ? fs.readFileSync(artifactPath) : undefined);
  const policy = {};
  if (opts.identity) policy.subjectAlternativeName = opts.identity;
  if (opts.issuer) policy.extensions = { issuer: opts.issuer };
  const { identity } = verifier.verify(entity, policy);
  console.log(`OK ${identity?.subjectAlternativeName} ${identity?.extensions?.issuer}`);
} catch (e) {
  console.log(`FAIL ${e.code || e.name}: ${e.message}`);
  process.exit(1);
}
