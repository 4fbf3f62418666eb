import type { JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, type SigningKey, signJwt, type VerifyJwtOptions, verifyJwt } from "./jwt";

/**
 * verifyJwt remembers a verified token per isolate (verified-tokens.ts): the
 * same token string against the same key object and claims is not re-checked,
 * anything else is verified in full.
 */
const ISS = "https://reuse.example";
const AUD = "fleetgate-api";
const VERIFY: VerifyJwtOptions = { issuer: ISS, audience: AUD, algorithms: ["EdDSA"] };

let key: SigningKey;
let other: SigningKey;
beforeAll(async () => {
  key = await generateSigningKey("EdDSA");
  other = await generateSigningKey("EdDSA");
});

const sign = (k: SigningKey, ttlSeconds = 900, now = Date.now()) =>
  signJwt(k.privateJwk, k.kid, k.alg, { t: now }, { issuer: ISS, audience: AUD, subject: "u", ttlSeconds, now });
const resolveTo = (jwk: JWK | undefined) => async () => jwk;

describe("verifyJwt reuse of a verified token", () => {
  it("reuses a verification only for the same token, key object, issuer and audience", async () => {
    const token = await sign(key);
    const first = await verifyJwt(token, resolveTo(key.publicJwk), VERIFY);
    const again = await verifyJwt(token, resolveTo(key.publicJwk), VERIFY);
    expect(first.ok && again.ok).toBe(true);
    expect(again).toEqual(first);
    // Another key object under the token's kid (a rotated or replaced key): checked in full, refused.
    expect(await verifyJwt(token, resolveTo({ ...other.publicJwk, kid: key.kid }), VERIFY)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    // No key any more (retired): refused before any reuse.
    expect(await verifyJwt(token, resolveTo(undefined), VERIFY)).toEqual({ ok: false, reason: "unknown_kid" });
    // Other claims expected: checked in full.
    const otherAud = await verifyJwt(token, resolveTo(key.publicJwk), { ...VERIFY, audience: "another" });
    expect(otherAud).toEqual({ ok: false, reason: "claims" });
  });

  it("a token that differs in one signature character is verified in full", async () => {
    const token = await sign(key);
    expect((await verifyJwt(token, resolveTo(key.publicJwk), VERIFY)).ok).toBe(true);
    const sig = token.slice(token.lastIndexOf(".") + 1);
    const flipped = `${token.slice(0, token.lastIndexOf(".") + 1)}${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    expect(await verifyJwt(flipped, resolveTo(key.publicJwk), VERIFY)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("never reuses past the token's exp", async () => {
    // Issued 20 s ago for 10 s: past exp + the 5 s tolerance.
    const token = await sign(key, 10, Date.now() - 20_000);
    expect(await verifyJwt(token, resolveTo(key.publicJwk), VERIFY)).toEqual({ ok: false, reason: "expired" });
    expect(await verifyJwt(token, resolveTo(key.publicJwk), VERIFY)).toEqual({ ok: false, reason: "expired" });
  });
});
