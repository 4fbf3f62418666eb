// Shared helpers for the workerd tests; exported only through `@fleetgate/pki/testing`.
import { type CaChain, createCa } from "./ca";
import { x509 } from "./x509";

/** A fresh root + issuing CA pair. */
export async function makeChain(now = new Date()): Promise<CaChain & { rootKey: CryptoKey }> {
  const root = await createCa({ commonName: "Fleetgate Test Root CA", days: 3650, now });
  const issuing = await createCa({
    commonName: "Fleetgate Test Issuing CA",
    days: 365,
    issuer: { certPem: root.certPem, privateKey: root.privateKey },
    now,
  });
  return {
    root: { certPem: root.certPem },
    issuing: { certPem: issuing.certPem, privateKey: issuing.privateKey },
    rootKey: root.privateKey,
  };
}

/** Generates a key pair for WebCrypto-made CSRs and certificates. */
export async function keyPair(
  algorithm: SubtleCryptoGenerateKeyAlgorithm = { name: "ECDSA", namedCurve: "P-256" },
): Promise<CryptoKeyPair> {
  const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  if (!("privateKey" in keys)) throw new TypeError("expected a key pair");
  return keys;
}

/** A PKCS#10 CSR made with WebCrypto (as a browser or Worker-side agent would). */
export async function webCryptoCsr(
  name: x509.JsonName | string,
  keys?: CryptoKeyPair,
  extensions: x509.Extension[] = [],
): Promise<string> {
  const pair = keys ?? (await keyPair());
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys: pair,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions,
  });
  return csr.toString("pem");
}

/** Parses a PEM certificate. */
export function cert(pem: string): x509.X509Certificate {
  return new x509.X509Certificate(pem);
}
