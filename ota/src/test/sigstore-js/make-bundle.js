// Writes a Sigstore bundle with Sigstore's own JavaScript libraries (@sigstore/sign, and @sigstore/mock for a
// Fulcio CA and a Rekor log that run in this process through nock: nothing leaves the machine).
// edgeagent's tests call it to get bundles that edgeagent did not write itself.
//
//   node make-bundle.js <request.json>
// request: { "kind": "dsse" | "message", "payload": <path of the bytes to sign>, "payloadType": "...",
//            "keyed": { "privateKeyPem": <path>, "publicKeyPem": <path> }                      (a keyed bundle)
//            | "keyless": { "issuer": "...", "subject": "...", "clock": <ISO time or null>, "rekor": true|false },
//            "certificateChain": false (true: a v0.2 bundle with x509CertificateChain),
//            "bundleOut": <path>, "trustOut": <path: {"fulcioRootPem", "rekorPublicKeyPem"} for keyless> }
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const sign = require('@sigstore/sign');
const mock = require('@sigstore/mock');
const { mock: serve } = require('@sigstore/mock/dist/mock');
const { bundleToJSON } = require('@sigstore/bundle');

const FULCIO = 'https://fulcio.test.invalid';
const REKOR = 'https://rekor.test.invalid';

function pem(type, der) {
  return `-----BEGIN ${type}-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END ${type}-----\n`;
}

function unsignedJwt(claims) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

async function main() {
  const req = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const payload = fs.readFileSync(req.payload);
  let signer;
  let witnesses = [];
  if (req.keyed) {
    const privateKey = crypto.createPrivateKey(fs.readFileSync(req.keyed.privateKeyPem));
    const publicKey = fs.readFileSync(req.keyed.publicKeyPem, 'utf8');
    signer = {
      sign: async (data) => ({
        signature: crypto.sign(privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, privateKey),
        key: { $case: 'publicKey', publicKey, hint: req.keyed.hint || '' },
      }),
    };
  } else {
    const k = req.keyless;
    const clock = k.clock ? new Date(k.clock) : undefined;
    const caKeys = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ca = await mock.initializeCA(caKeys, undefined, clock);
    serve(FULCIO, mock.fulcioHandler(ca, { strict: true }));
    const logKeys = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const tlog = await mock.initializeTLog(REKOR, logKeys, clock);
    serve(REKOR, mock.rekorHandler(tlog, { strict: true }));
    signer = new sign.FulcioSigner({
      fulcioBaseURL: FULCIO,
      identityProvider: { getToken: async () => unsignedJwt({ iss: k.issuer, sub: k.subject, aud: 'sigstore' }) },
    });
    if (k.rekor !== false) {
      witnesses = [new sign.RekorWitness({ rekorBaseURL: REKOR })];
    }
    fs.writeFileSync(req.trustOut, JSON.stringify({
      fulcioRootPem: pem('CERTIFICATE', ca.rootCertificate),
      rekorPublicKeyPem: pem('PUBLIC KEY', tlog.publicKey),
    }, null, 2));
  }
  const options = { signer, witnesses, certificateChain: !!req.certificateChain };
  const builder = req.kind === 'message' ? new sign.MessageSignatureBundleBuilder(options) : new sign.DSSEBundleBuilder(options);
  const bundle = await builder.create({ data: payload, type: req.payloadType });
  fs.writeFileSync(req.bundleOut, JSON.stringify(bundleToJSON(bundle)));
}

main().catch((e) => {
  console.error(`make-bundle: ${e.stack || e}`);
  process.exit(1);
});
