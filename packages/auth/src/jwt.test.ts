import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url, utf8 } from "./crypto";
import { generateSigningKey, publicJwks, type SigningKey, signJwt, type VerifyJwtOptions, verifyJwt } from "./jwt";

const ISS = "https://fleetgate.example";
const AUD = "fleetgate-api";
const NOW = 1_700_000_000_000; // ms
const VERIFY: VerifyJwtOptions = { issuer: ISS, audience: AUD, algorithms: ["EdDSA"], now: NOW };

let ed: SigningKey;
let es: SigningKey;

beforeAll(async () => {
  ed = await generateSigningKey("EdDSA");
  es = await generateSigningKey("ES256");
});

/** A resolver that knows the given keys by kid and counts its calls. */
function resolver(...keys: SigningKey[]) {
  const calls: string[] = [];
  const resolve = async (kid: string): Promise<JWK | undefined> => {
    calls.push(kid);
    return keys.find((k) => k.kid === kid)?.publicJwk;
  };
  return { resolve, calls };
}

function sign(
  claims: Record<string, unknown> = {},
  key: SigningKey = ed,
  extra: Partial<{ ttl: number; now: number }> = {},
) {
  return signJwt(key.privateJwk, key.kid, key.alg, claims, {
    issuer: ISS,
    audience: AUD,
    subject: "user:1",
    ttlSeconds: extra.ttl ?? 900,
    now: extra.now ?? NOW,
  });
}

function b64json(value: unknown): string {
  return toBase64Url(utf8(JSON.stringify(value)));
}

function payloadFor(now = NOW, ttl = 900) {
  const iat = Math.floor(now / 1000);
  return { iss: ISS, aud: AUD, sub: "user:1", iat, exp: iat + ttl };
}

describe("generateSigningKey", () => {
  it("creates an Ed25519 key pair by default", async () => {
    const k = await generateSigningKey();
    expect(k.alg).toBe("EdDSA");
    expect(k.publicJwk.kty).toBe("OKP");
    expect(k.publicJwk.crv).toBe("Ed25519");
    expect(k.publicJwk.d).toBeUndefined();
    expect(typeof k.privateJwk.d).toBe("string");
  });

  it("sets kid to the RFC 7638 SHA-256 thumbprint of the public key", async () => {
    const canonical = JSON.stringify({ crv: "Ed25519", kty: "OKP", x: ed.publicJwk.x });
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonical)));
    expect(ed.kid).toBe(toBase64Url(digest));
  });

  it("stamps kid and alg on both JWKs", () => {
    expect([ed.publicJwk.kid, ed.privateJwk.kid]).toEqual([ed.kid, ed.kid]);
    expect([ed.publicJwk.alg, ed.privateJwk.alg]).toEqual(["EdDSA", "EdDSA"]);
  });

  it("creates a P-256 key pair for ES256", () => {
    expect(es.alg).toBe("ES256");
    expect(es.publicJwk.kty).toBe("EC");
    expect(es.publicJwk.crv).toBe("P-256");
    expect(es.publicJwk.d).toBeUndefined();
  });

  it("gives different keys different kids", () => {
    expect(ed.kid).not.toBe(es.kid);
  });
});

describe("signJwt", () => {
  it("sets header alg, kid and typ JWT", async () => {
    expect(decodeProtectedHeader(await sign())).toEqual({ alg: "EdDSA", kid: ed.kid, typ: "JWT" });
  });

  it("sets iss, aud, sub, iat, exp and a UUID jti alongside the custom claims", async () => {
    const payload = decodeJwt(await sign({ role: "admin" }));
    expect(payload).toEqual({ ...payloadFor(), role: "admin", jti: payload.jti });
    expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("uses a given jti", async () => {
    const token = await signJwt(
      ed.privateJwk,
      ed.kid,
      "EdDSA",
      {},
      {
        issuer: ISS,
        audience: AUD,
        subject: "s",
        ttlSeconds: 60,
        jti: "fixed-jti",
      },
    );
    expect(decodeJwt(token).jti).toBe("fixed-jti");
  });

  it("lets the options override registered claims smuggled in through claims", async () => {
    const payload = decodeJwt(await sign({ iss: "evil", aud: "other", sub: "root", exp: 9_999_999_999 }));
    expect([payload.iss, payload.aud, payload.sub, payload.exp]).toEqual([ISS, AUD, "user:1", payloadFor().exp]);
  });

  it("rejects a non-positive ttl", async () => {
    await expect(sign({}, ed, { ttl: 0 })).rejects.toThrow(RangeError);
  });
});

describe("verifyJwt", () => {
  it("accepts a valid EdDSA token and returns payload and kid", async () => {
    const { resolve } = resolver(ed);
    const result = await verifyJwt(await sign({ role: "admin" }), resolve, VERIFY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.kid).toBe(ed.kid);
    expect(result.payload).toMatchObject({ ...payloadFor(), role: "admin" });
  });

  it("accepts a valid ES256 token when ES256 is allowed", async () => {
    const { resolve } = resolver(es);
    const result = await verifyJwt(await sign({}, es), resolve, { ...VERIFY, algorithms: ["ES256"] });
    expect(result).toMatchObject({ ok: true, kid: es.kid });
  });

  it("accepts when the expected audience is one of the token's audiences", async () => {
    const token = await signJwt(
      ed.privateJwk,
      ed.kid,
      "EdDSA",
      {},
      {
        issuer: ISS,
        audience: ["other", AUD],
        subject: "s",
        ttlSeconds: 60,
        now: NOW,
      },
    );
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toMatchObject({ ok: true });
  });

  it("rejects alg none without resolving a key", async () => {
    const { resolve, calls } = resolver(ed);
    const token = `${b64json({ alg: "none", kid: ed.kid, typ: "JWT" })}.${b64json(payloadFor())}.`;
    expect(await verifyJwt(token, resolve, VERIFY)).toEqual({ ok: false, reason: "alg" });
    expect(calls).toEqual([]);
  });

  it("rejects an unsecured JWT produced by jose", async () => {
    const token = new UnsecuredJWT(payloadFor()).encode();
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "alg" });
  });

  it("rejects HS256 signed with the public key's raw bytes (alg confusion) without resolving a key", async () => {
    const { resolve, calls } = resolver(ed);
    const secret = fromBase64Url(ed.publicJwk.x ?? "") ?? new Uint8Array(0);
    expect(secret.length).toBe(32);
    const token = await new SignJWT(payloadFor()).setProtectedHeader({ alg: "HS256", kid: ed.kid }).sign(secret);
    expect(await verifyJwt(token, resolve, VERIFY)).toEqual({ ok: false, reason: "alg" });
    expect(calls).toEqual([]);
  });

  it("rejects HS256 signed with the public JWK's JSON text as the HMAC key", async () => {
    const secret = utf8(JSON.stringify(ed.publicJwk));
    const token = await new SignJWT(payloadFor()).setProtectedHeader({ alg: "HS256", kid: ed.kid }).sign(secret);
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "alg" });
  });

  it("rejects an allowed-by-library algorithm missing from the allowlist", async () => {
    const { resolve, calls } = resolver(es);
    expect(await verifyJwt(await sign({}, es), resolve, VERIFY)).toEqual({ ok: false, reason: "alg" });
    expect(calls).toEqual([]);
  });

  it("rejects a token whose header alg does not match the resolved key's type", async () => {
    // Header claims EdDSA, kid points at the ES256 key: the key decides, not the token.
    const forged = `${b64json({ alg: "EdDSA", kid: es.kid, typ: "JWT" })}.${b64json(payloadFor())}.${toBase64Url(new Uint8Array(64))}`;
    const options: VerifyJwtOptions = { ...VERIFY, algorithms: ["EdDSA", "ES256"] };
    expect(await verifyJwt(forged, resolver(ed, es).resolve, options)).toEqual({ ok: false, reason: "alg" });
  });

  it("rejects a wrong audience", async () => {
    const result = await verifyJwt(await sign(), resolver(ed).resolve, { ...VERIFY, audience: "other-api" });
    expect(result).toEqual({ ok: false, reason: "claims" });
  });

  it("rejects a wrong issuer", async () => {
    const result = await verifyJwt(await sign(), resolver(ed).resolve, { ...VERIFY, issuer: "https://evil.example" });
    expect(result).toEqual({ ok: false, reason: "claims" });
  });

  it("rejects an expired token", async () => {
    const token = await sign({}, ed, { ttl: 60 });
    const result = await verifyJwt(token, resolver(ed).resolve, { ...VERIFY, now: NOW + 120_000 });
    expect(result).toEqual({ ok: false, reason: "expired" });
  });

  it("accepts a token expired by less than the 5-second clock tolerance", async () => {
    const token = await sign({}, ed, { ttl: 60 });
    const result = await verifyJwt(token, resolver(ed).resolve, { ...VERIFY, now: NOW + 64_000 });
    expect(result.ok).toBe(true);
  });

  it("rejects a token expired by more than the 5-second clock tolerance", async () => {
    const token = await sign({}, ed, { ttl: 60 });
    const result = await verifyJwt(token, resolver(ed).resolve, { ...VERIFY, now: NOW + 66_000 });
    expect(result).toEqual({ ok: false, reason: "expired" });
  });

  it("rejects an unknown kid", async () => {
    const other = await generateSigningKey();
    expect(await verifyJwt(await sign({}, other), resolver(ed).resolve, VERIFY)).toEqual({
      ok: false,
      reason: "unknown_kid",
    });
  });

  it("rejects a token without kid as malformed", async () => {
    const key = await importJWK(ed.privateJwk, "EdDSA");
    const token = await new SignJWT(payloadFor()).setProtectedHeader({ alg: "EdDSA" }).sign(key);
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a tampered payload", async () => {
    const [h, , s] = (await sign({ role: "viewer" })).split(".");
    const tampered = `${h}.${b64json({ ...payloadFor(), role: "admin" })}.${s}`;
    expect(await verifyJwt(tampered, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a signature made by another key under a known kid", async () => {
    const other = await generateSigningKey();
    const token = await signJwt(
      other.privateJwk,
      ed.kid,
      "EdDSA",
      {},
      {
        issuer: ISS,
        audience: AUD,
        subject: "s",
        ttlSeconds: 60,
        now: NOW,
      },
    );
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a validly signed token without exp", async () => {
    const key = await importJWK(ed.privateJwk, "EdDSA");
    const { exp: _exp, ...noExp } = payloadFor();
    const token = await new SignJWT(noExp).setProtectedHeader({ alg: "EdDSA", kid: ed.kid }).sign(key);
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "claims" });
  });

  it("rejects a validly signed token without aud", async () => {
    const key = await importJWK(ed.privateJwk, "EdDSA");
    const { aud: _aud, ...noAud } = payloadFor();
    const token = await new SignJWT(noAud).setProtectedHeader({ alg: "EdDSA", kid: ed.kid }).sign(key);
    expect(await verifyJwt(token, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "claims" });
  });

  it("rejects structurally broken tokens as malformed", async () => {
    const { resolve } = resolver(ed);
    const good = await sign();
    for (const bad of ["", "abc", "a.b", `${good}.x`, "!!!.e30.", `${b64json("not an object")}.e30.`]) {
      expect(await verifyJwt(bad, resolve, VERIFY)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("rejects an oversized token before parsing", async () => {
    const huge = `${"a".repeat(20_000)}.b.c`;
    expect(await verifyJwt(huge, resolver(ed).resolve, VERIFY)).toEqual({ ok: false, reason: "malformed" });
  });

  it("uses only the public members when the resolver returns a private JWK", async () => {
    const result = await verifyJwt(await sign(), async () => ed.privateJwk, VERIFY);
    expect(result.ok).toBe(true);
  });
});

describe("publicJwks", () => {
  it("publishes public members with kid, alg and use sig", () => {
    expect(publicJwks([ed.publicJwk])).toEqual({
      keys: [{ kty: "OKP", crv: "Ed25519", x: ed.publicJwk.x, kid: ed.kid, alg: "EdDSA", use: "sig" }],
    });
  });

  it("strips private members when given a private JWK", () => {
    const [key] = publicJwks([ed.privateJwk, es.privateJwk]).keys;
    expect(key?.d).toBeUndefined();
    expect(JSON.stringify(publicJwks([es.privateJwk]))).not.toContain(`"d"`);
  });

  it("publishes EC keys with x and y", () => {
    expect(publicJwks([es.publicJwk]).keys[0]).toEqual({
      kty: "EC",
      crv: "P-256",
      x: es.publicJwk.x,
      y: es.publicJwk.y,
      kid: es.kid,
      alg: "ES256",
      use: "sig",
    });
  });

  it("throws for a key without kid", () => {
    const { kid: _kid, ...noKid } = ed.publicJwk;
    expect(() => publicJwks([noKid])).toThrow("publicJwks: key without kid");
  });

  it("throws for an unsupported key type", () => {
    expect(() => publicJwks([{ kty: "oct", k: "AAAA", kid: "x" }])).toThrow(TypeError);
  });

  it("publishes keys that verify tokens through a kid lookup", async () => {
    const jwks = publicJwks([ed.publicJwk, es.publicJwk]);
    const lookup = async (kid: string) => jwks.keys.find((k) => k.kid === kid);
    expect(await verifyJwt(await sign(), lookup, VERIFY)).toMatchObject({ ok: true, kid: ed.kid });
  });
});
