import { publicJwks, signJwt } from "@fleetgate/auth";
import { activeSigningKey, publishedKeys, publishedSigningKey } from "../identity/signing-keys.service";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { caBundlePem } from "./ca.service";

/** `GET /enroll/jwks`: the keys that sign enrollment JWTs, so clients can verify a token before enrolling. */
export async function enrollmentJwks(ctx: DomainContext) {
  return publicJwks(await publishedKeys(ctx, "enrollment"));
}

/**
 * `POST /enroll/challenge`: signs the client's nonce with the enrollment key
 * `keyId`, proving this controller holds it (ECDSA P-256 / SHA-256, raw r‖s, base64). Any key
 * `GET /enroll/jwks` lists will do: the active one, or one retired but still published.
 */
export async function signEnrollmentChallenge(ctx: DomainContext, keyId: string, nonce: string) {
  const key = await publishedSigningKey(ctx, "enrollment", keyId);
  if (!key) throw new DomainError("common.not_found", "Unknown keyId");
  const signer = await crypto.subtle.importKey(
    "jwk",
    { ...(key.privateJwk as JsonWebKey), key_ops: ["sign"] },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signer, new TextEncoder().encode(nonce));
  return {
    algorithm: "ES256",
    caPool: await caBundlePem(ctx),
    kid: key.kid,
    signature: btoa(String.fromCharCode(...new Uint8Array(sig))),
  };
}

/** `GET /network-jwts`: the network bootstrap JWT (`em: network`, no `exp`), signed with the enrollment key. */
export async function networkJwt(ctx: DomainContext): Promise<string> {
  const key = await activeSigningKey(ctx, "enrollment");
  return signJwt(
    key.privateJwk,
    key.kid,
    key.alg,
    { em: "network", ctrls: [] },
    { issuer: `${ctx.issuer}/`, audience: ["openziti-enroller"], ttlSeconds: null, subject: `${ctx.issuer}/` },
  );
}
