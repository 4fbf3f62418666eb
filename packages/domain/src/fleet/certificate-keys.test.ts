import { createCa } from "@fleetgate/pki";
import { describe, expect, it } from "vitest";
import { cachedPublicKey } from "./certificate-keys";

/**
 * The proof key of a certificate: imported from the JWK stored beside it at issue when there is
 * one (no certificate parse), else parsed out of the certificate. Each case uses its own
 * fingerprint: the keys are cached per fingerprint and isolate.
 */
const data = new TextEncoder().encode("proof signing input");
const ecdsa = { name: "ECDSA", hash: "SHA-256" };

async function signedBy(privateKey: CryptoKey): Promise<ArrayBuffer> {
  return crypto.subtle.sign(ecdsa, privateKey, data);
}

async function verifies(sha: string, certPem: string, jwk: string | null, signature: ArrayBuffer): Promise<boolean> {
  const key = await cachedPublicKey(sha, certPem, jwk);
  if (!key) throw new Error("no key");
  expect(key.alg).toBe("ES256");
  return crypto.subtle.verify(ecdsa, key.key, signature, data);
}

const fingerprint = () => crypto.randomUUID().replaceAll("-", "").padEnd(64, "0");

describe("cachedPublicKey", () => {
  it("imports the stored JWK instead of parsing the certificate; without one it parses the certificate", async () => {
    const a = await createCa({ commonName: "key-a", days: 1 });
    const b = await createCa({ commonName: "key-b", days: 1 });
    const jwkOf = async (key: CryptoKey) => JSON.stringify(await crypto.subtle.exportKey("jwk", key));
    const signedByA = await signedBy(a.privateKey);
    const signedByB = await signedBy(b.privateKey);
    // The stored JWK of the certificate's own key.
    expect(await verifies(fingerprint(), a.certPem, await jwkOf(a.publicKey), signedByA)).toBe(true);
    // The JWK wins over the certificate (here deliberately another key's): it is what gets used.
    const sha = fingerprint();
    expect(await verifies(sha, a.certPem, await jwkOf(b.publicKey), signedByB)).toBe(true);
    expect(await verifies(sha, a.certPem, await jwkOf(b.publicKey), signedByA)).toBe(false);
    // No JWK (a row issued before it was stored), or one that is not usable: the certificate's key.
    expect(await verifies(fingerprint(), a.certPem, null, signedByA)).toBe(true);
    expect(await verifies(fingerprint(), a.certPem, "not json", signedByA)).toBe(true);
    expect(await verifies(fingerprint(), a.certPem, JSON.stringify({ kty: "oct", k: "AAAA" }), signedByA)).toBe(true);
  });
});
