import { createPrivateKey, createPublicKey, webcrypto } from "node:crypto";
import { toPem } from "./pem";
import { x509 } from "./x509";

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

/** A fresh EC P-256 key pair, generated on this host; the private key never leaves it. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
}

/** PKCS#8 PEM ("PRIVATE KEY") of a private key. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return toPem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", key));
}

/** The DER SubjectPublicKeyInfo of a public key. */
export async function publicKeySpki(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey("spki", key));
}

/** Imports a PKCS#8 EC P-256 private key PEM for signing (non-extractable) and derives its SPKI. */
export async function importPrivateKey(pem: string): Promise<{ privateKey: CryptoKey; spki: Buffer }> {
  const keyObject = createPrivateKey({ key: pem, format: "pem" });
  if (keyObject.asymmetricKeyType !== "ec" || keyObject.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error("key.pem is not an EC P-256 key");
  }
  const spki = createPublicKey(keyObject).export({ format: "der", type: "spki" });
  const pkcs8 = keyObject.export({ format: "der", type: "pkcs8" });
  const privateKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, EC_P256, false, ["sign"]);
  return { privateKey, spki };
}

/** A PKCS#10 CSR (RFC 2986) with subject `CN=<commonName>`, signed with ECDSA-SHA256 by `keys`. */
export async function createCsr(keys: CryptoKeyPair, commonName: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    // The JSON form of the name: no RFC 4514 string parsing, so a CN with `,` or `=` cannot inject RDNs.
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return csr.toString("pem");
}
