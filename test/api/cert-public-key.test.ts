import { env } from "cloudflare:workers";
import { certificatePublicKey } from "@fleetgate/pki";
import { describe, expect, it } from "vitest";
import { enrollHost } from "./agent-helpers";

/** A certificate issued for a CSR keeps the CSR's public key as a JWK beside it: the very key of the certificate. */
describe("certificates.public_key_jwk", () => {
  it("an enrolled host's certificate row holds its certificate's public key as a JWK", async () => {
    const host = await enrollHost();
    const row = await env.DB.prepare("SELECT cert_pem, public_key_jwk FROM certificates WHERE host_id = ?")
      .bind(host.id)
      .first<{ cert_pem: string; public_key_jwk: string | null }>();
    expect(row?.public_key_jwk).toBeTruthy();
    const jwk = JSON.parse(row?.public_key_jwk ?? "{}") as JsonWebKey;
    expect(jwk).toMatchObject({ kty: "EC", crv: "P-256" });
    expect(jwk.d).toBeUndefined();
    const stored = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const fromCert = await certificatePublicKey(row?.cert_pem ?? "");
    if (!fromCert) throw new Error("no key in the certificate");
    // The host's private key signs what both the stored key and the certificate's key verify.
    const data = new TextEncoder().encode("proof signing input");
    const alg = { name: "ECDSA", hash: "SHA-256" };
    const signature = await crypto.subtle.sign(alg, host.keys.privateKey, data);
    expect(await crypto.subtle.verify(alg, stored, signature, data)).toBe(true);
    expect(await crypto.subtle.verify(alg, fromCert.key, signature, data)).toBe(true);
  });
});
