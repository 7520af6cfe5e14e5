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
const sign = require('@sigstore/sign');
const { parseArgs, die, fetchOptions } = require('./common');
const { digestOf, simpleSigningPayload, rekorBundleAnnotation, writeOutputs, registryClient, appendSignatureLayer } = require('./cosign_layer');

const usage = 'cosign_key_rekor.js URL REGISTRY/REPO@sha256:HEX KEY.pem OUTDIR [--push]';
const { opts, rest: [url, image, keyFile, outDir] } = parseArgs(process.argv.slice(2), { '--push': 'flag' }, usage);
const ref = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(image || '');
if (!outDir || !ref) die(`usage: ${usage}`, 2);
const [, registry, repo, digest] = ref;

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

async function main() {
  const payload = simpleSigningPayload(registry, repo, digest);
  const signer = keySigner(crypto.createPrivateKey(fs.readFileSync(keyFile)));
  const witnesses = [new sign.RekorWitness({ rekorBaseURL: url, ...fetchOptions })];
  const bundle = await new sign.MessageSignatureBundleBuilder({ signer, witnesses }).create({ data: payload });
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const annotations = {
    'dev.cosignproject.cosign/signature': bundle.content.messageSignature.signature.toString('base64'),
    'dev.sigstore.cosign/bundle': rekorBundleAnnotation(entry),
  };
  const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: payload.length, digest: digestOf(payload), annotations };

  writeOutputs(outDir, {
    'payload.json': payload,
    signature: annotations['dev.cosignproject.cosign/signature'],
    'rekor-bundle.json': annotations['dev.sigstore.cosign/bundle'],
    'layer.json': `${JSON.stringify(layer, null, 2)}\n`,
  });
  if (opts.push) {
    const client = registryClient({ registry, repo, plainHttp: true });
    console.log(await appendSignatureLayer(client, repo, digest, payload, layer));
  }
}

main().catch((e) => die(`${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`));
