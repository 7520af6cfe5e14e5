#!/usr/bin/env node
// Keyless-sign a file with @sigstore/sign (an independent signer) against the services of
// mock_sigstore.js and write the Sigstore bundle.
//
// usage: node sign.js URL blob|dsse INPUT OUT.json [options]
//   blob   message signature over INPUT (Rekor hashedrekord 0.0.1 entry)
//   dsse   DSSE envelope whose payload is INPUT, e.g. an in-toto statement (Rekor dsse 0.0.1 entry)
//   --identity ID    certificate subject (default signer@example.com: an rfc822Name SAN; a URL: a URI SAN)
//   --issuer URL     OIDC issuer (Fulcio extensions .1.1 and .1.8; default https://issuer.example.com)
//   --claims JSON    more token claims; GitHub's (repository, ref, sha, workflow, event_name, ...) become
//                    Fulcio extensions 1.3.6.1.4.1.57264.1.2-.22
//   --tsa            add an RFC 3161 timestamp      --no-tlog   no Rekor entry (use with --tsa)
//   --intoto         log the DSSE envelope as Rekor intoto 0.0.2 instead of dsse 0.0.1
//   --v02            bundle v0.2 (x509CertificateChain) instead of v0.3 (certificate)
'use strict';
const fs = require('fs');
const sign = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');
const { parseArgs, die, identityToken, fetchOptions } = require('./common');

const usage = 'sign.js URL blob|dsse INPUT OUT.json [--identity ID] [--issuer URL] [--claims JSON] [--tsa] [--no-tlog] [--intoto] [--v02]';
const { opts, rest } = parseArgs(process.argv.slice(2), {
  '--identity': 'value', '--issuer': 'value', '--claims': 'value',
  '--tsa': 'flag', '--no-tlog': 'flag', '--intoto': 'flag', '--v02': 'flag',
}, usage);
const [url, kind, input, out] = rest;
if (!out || !['blob', 'dsse'].includes(kind)) die(`usage: ${usage}`, 2);

async function main() {
  const token = identityToken({ identity: opts.identity, issuer: opts.issuer, claims: JSON.parse(opts.claims || '{}') });
  const signer = new sign.FulcioSigner({ fulcioBaseURL: url, identityProvider: { getToken: async () => token }, ...fetchOptions });
  const witnesses = [];
  if (!opts['no-tlog']) {
    witnesses.push(new sign.RekorWitness({ rekorBaseURL: url, entryType: opts.intoto ? 'intoto' : 'dsse', ...fetchOptions }));
  }
  if (opts.tsa) witnesses.push(new sign.TSAWitness({ tsaBaseURL: url, ...fetchOptions }));
  const builder = kind === 'blob'
    ? new sign.MessageSignatureBundleBuilder({ signer, witnesses })
    : new sign.DSSEBundleBuilder({ signer, witnesses, certificateChain: Boolean(opts.v02) });
  const bundle = await builder.create({
    data: fs.readFileSync(input), type: kind === 'dsse' ? 'application/vnd.in-toto+json' : undefined,
  });

  // The message-signature builder always writes v0.2 with the leaf alone in x509CertificateChain; v0.3 holds
  // the same leaf in `certificate`. No signature covers this part, so the rewrite is what a v0.3 signer makes.
  const vm = bundle.verificationMaterial;
  if (!opts.v02 && vm.content.$case === 'x509CertificateChain') {
    bundle.mediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    vm.content = { $case: 'certificate', certificate: vm.content.x509CertificateChain.certificates[0] };
  }
  fs.writeFileSync(out, `${JSON.stringify(bundleToJSON(bundle), null, 2)}\n`);
  const entry = vm.tlogEntries[0];
  console.error(`sign.js: ${out}: ${bundle.mediaType}, ${entry ? `${entry.kindVersion.kind} ${entry.kindVersion.version} entry`
    : 'no log entry'}, ${vm.timestampVerificationData.rfc3161Timestamps.length} RFC 3161 timestamp(s)`);
}

main().catch((e) => die(`${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`));
