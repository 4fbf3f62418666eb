import { randomUUID, type webcrypto } from "node:crypto";
import { PROOF_MAX_LIFETIME_SECONDS, PROOF_TYP } from "@fleetgate/contract/agent";
import { SignJWT } from "jose";

/** `<server><path>` for a server base URL without trailing slash (http/https). */
export function endpoint(server: string, pathname: string): string {
  return `${server}${pathname}`;
}

/** The WebSocket URL for an http(s) endpoint: http → ws, https → wss. */
export function toWebSocketUrl(url: string): string {
  return url.replace(/^http(s?):/, "ws$1:");
}

/**
 * A single-use proof of possession for `audience`: an ES256 JWT signed with the host key,
 * bound to the certificate by `x5t#S256` (RFC 7515 §4.1.8), `exp` = `iat` + 60 s and a
 * fresh UUID `jti` so the server can refuse replays. Never log the result.
 */
export async function createProof(params: {
  privateKey: webcrypto.CryptoKey;
  x5tS256: string;
  audience: string;
  now?: number;
}): Promise<string> {
  const iat = Math.floor((params.now ?? Date.now()) / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", typ: PROOF_TYP, "x5t#S256": params.x5tS256 })
    .setAudience(params.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + PROOF_MAX_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(params.privateKey);
}
