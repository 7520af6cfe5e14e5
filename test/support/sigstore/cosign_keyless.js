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
const sign = require('@sigstore/sign');
const { parseArgs, die, toPem, identityToken, fetchOptions } = require('./common');
const { digestOf, simpleSigningPayload, rekorBundleAnnotation, writeOutputs, registryClient, appendSignatureLayer } = require('./cosign_layer');

const usage = 'cosign_keyless.js URL REGISTRY/REPO@sha256:HEX OUTDIR [--push] [--plain-http] [--ca FILE] [--creds USER:PASS]'
  + ' [--identity ID] [--issuer URL] [--claims JSON] [--tsa]';
const { opts, rest: [url, image, outDir] } = parseArgs(process.argv.slice(2), {
  '--push': 'flag', '--plain-http': 'flag', '--ca': 'value', '--creds': 'value',
  '--identity': 'value', '--issuer': 'value', '--claims': 'value', '--tsa': 'flag',
}, usage);
const ref = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image || '');
if (!outDir || !ref) die(`usage: ${usage}`, 2);
const [, registry, repo, digest] = ref;

async function main() {
  const payload = simpleSigningPayload(registry, repo, digest);
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
    'dev.sigstore.cosign/bundle': rekorBundleAnnotation(entry),
  };
  const timestamp = vm.timestampVerificationData.rfc3161Timestamps[0];
  if (timestamp) {
    annotations['dev.sigstore.cosign/rfc3161timestamp'] = JSON.stringify({ SignedRFC3161Timestamp: timestamp.signedTimestamp.toString('base64') });
  }
  const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: payload.length, digest: digestOf(payload), annotations };

  writeOutputs(outDir, {
    'payload.json': payload,
    signature: annotations['dev.cosignproject.cosign/signature'],
    'cert.pem': annotations['dev.sigstore.cosign/certificate'],
    'chain.pem': annotations['dev.sigstore.cosign/chain'],
    'rekor-bundle.json': annotations['dev.sigstore.cosign/bundle'],
    'rfc3161.json': annotations['dev.sigstore.cosign/rfc3161timestamp'],
    'layer.json': `${JSON.stringify(layer, null, 2)}\n`,
  });

  if (opts.push) {
    const ca = opts.ca ? fs.readFileSync(opts.ca) : undefined;
    const client = registryClient({ registry, repo, plainHttp: opts['plain-http'], ca, creds: opts.creds });
    console.log(await appendSignatureLayer(client, repo, digest, payload, layer));
  }
}

main().catch((e) => die(`${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`));
