// Helpers shared by the scripts of this folder: command-line options, PEM, and the identity token the
// mock Fulcio accepts.
'use strict';
const crypto = require('crypto');

// Splits argv into named options and positional arguments. `spec` maps "--name" to "value" (takes the
// next argument) or "flag" (boolean). Unknown options are an error, so a typo does not go unnoticed.
function parseArgs(argv, spec, usage) {
  const opts = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) rest.push(a);
    else if (spec[a] === 'flag') opts[a.slice(2)] = true;
    else if (spec[a] === 'value' && i + 1 < argv.length) opts[a.slice(2)] = argv[++i];
    else die(`unknown or incomplete option ${a}\nusage: ${usage}`, 2);
  }
  return { opts, rest };
}

function die(message, code = 1) {
  console.error(`${require('path').basename(process.argv[1])}: ${message}`);
  process.exit(code);
}

const toPem = (der, label = 'CERTIFICATE') =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
const fromPem = (pem) => Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
const isEmail = (s) => /^[^\s:/@]+@[^\s:/@]+$/.test(s);

// An unsigned JWT ("alg": "none"): the mock Fulcio decodes the token without checking a signature. An
// e-mail subject also gets `email` + `email_verified`, which sigstore-js insists on before signing it.
function identityToken({ identity = 'signer@example.com', issuer = 'https://issuer.example.com', claims = {} }) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iss: issuer, sub: identity, aud: 'sigstore', iat: now, nbf: now, exp: now + 600 };
  if (isEmail(identity)) Object.assign(body, { email: identity, email_verified: true });
  Object.assign(body, claims);
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(body)}.`;
}

// Options for every @sigstore/sign client: fail fast, a mock that does not answer will not later.
const fetchOptions = { timeout: 10000, retry: { retries: 0 } };

module.exports = { parseArgs, die, toPem, fromPem, sha256, isEmail, identityToken, fetchOptions };
