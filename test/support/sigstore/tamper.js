#!/usr/bin/env node
// Write a broken copy of a Sigstore bundle, for negative tests. Each change breaks exactly one check.
//
// usage: node tamper.js IN.json OUT.json WHAT
//   sig         flip a bit of the signature (message signature or the DSSE envelope's first)
//   payload     flip a bit of the DSSE payload: the signature and the log entry no longer cover it
//   digest      flip a bit of the message signature's digest
//   cert        flip a bit of the leaf certificate's signature (its last DER byte)
//   set         flip a bit of the Rekor signed entry timestamp
//   time        add a second to the Rekor integratedTime (the SET no longer covers it)
//   body        flip a bit of the Rekor canonicalized body
//   checkpoint  flip a bit of the signature on the inclusion proof's checkpoint
//   tsa         flip a bit near the end of the RFC 3161 timestamp (inside its signature)
//   no-tlog     drop the Rekor entries
'use strict';
const fs = require('fs');
const { die } = require('./common');

const [inPath, outPath, what] = process.argv.slice(2);
if (!what) die('usage: tamper.js IN.json OUT.json sig|payload|digest|cert|set|time|body|checkpoint|tsa|no-tlog', 2);
const bundle = JSON.parse(fs.readFileSync(inPath, 'utf8'));
const vm = bundle.verificationMaterial;
const entry = () => (vm.tlogEntries || [])[0] || die(`${inPath} has no Rekor entry`);

// Flips the lowest bit of byte `at` (negative: counted from the end) of a base64 value.
function flip(b64, at) {
  const bytes = Buffer.from(b64, 'base64');
  bytes[at < 0 ? bytes.length + at : at] ^= 1;
  return bytes.toString('base64');
}

const changes = {
  sig: () => {
    const s = bundle.messageSignature || bundle.dsseEnvelope.signatures[0];
    if (bundle.messageSignature) s.signature = flip(s.signature, 10); else s.sig = flip(s.sig, 10);
  },
  payload: () => { (bundle.dsseEnvelope || die(`${inPath} is not DSSE`)).payload = flip(bundle.dsseEnvelope.payload, 0); },
  digest: () => {
    const d = (bundle.messageSignature || die(`${inPath} has no message signature`)).messageDigest;
    d.digest = flip(d.digest, -1);
  },
  cert: () => {
    const c = vm.certificate || vm.x509CertificateChain.certificates[0];
    c.rawBytes = flip(c.rawBytes, -1);
  },
  set: () => { const p = entry().inclusionPromise; p.signedEntryTimestamp = flip(p.signedEntryTimestamp, 10); },
  time: () => { const e = entry(); e.integratedTime = String(Number(e.integratedTime) + 1); },
  body: () => { const e = entry(); e.canonicalizedBody = flip(e.canonicalizedBody, 20); },
  checkpoint: () => {
    const cp = (entry().inclusionProof || die(`${inPath} has no inclusion proof`)).checkpoint;
    // the signature line: "\u2014 <name> <base64(key hint || signature)>"
    cp.envelope = cp.envelope.replace(/^(\u2014 \S+ )(\S+)$/m, (_, head, sig) => head + flip(sig, 10));
  },
  tsa: () => {
    const t = (vm.timestampVerificationData?.rfc3161Timestamps || [])[0] || die(`${inPath} has no RFC 3161 timestamp`);
    t.signedTimestamp = flip(t.signedTimestamp, -5);
  },
  'no-tlog': () => { vm.tlogEntries = []; },
};
(changes[what] || (() => die(`unknown change ${what}`, 2)))();
fs.writeFileSync(outPath, `${JSON.stringify(bundle, null, 2)}\n`);
