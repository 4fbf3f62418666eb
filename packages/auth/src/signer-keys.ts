import { decodeJwt, exportJWK, importX509, type JWK } from "jose";

/**
 * Key material of external JWT signers pinned by certificate (OpenZiti's
 * `certPem` signers): the certificate's public key as a JWK named `kid`,
 * without `alg` (an RSA key may sign RS* or PS*, an EC key the ES* of its
 * curve; `verifyOidcToken` matches key type to algorithm). Undefined when the
 * PEM is not an X.509 certificate with an RSA, EC or Ed25519 key.
 */
export async function certificateJwk(certPem: string, kid: string): Promise<JWK | undefined> {
  for (const alg of ["RS256", "ES256", "ES384", "ES512", "EdDSA"]) {
    try {
      const key = await importX509(certPem, alg, { extractable: true });
      const { alg: _alg, ...jwk } = await exportJWK(key);
      return { ...jwk, kid, use: "sig" };
    } catch {
      // not this key type
    }
  }
  return undefined;
}

/** A JWT's claims WITHOUT verification (to pick the signer by `iss`); undefined when it is not a JWT. */
export function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  if (token.length > 16 * 1024) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}
