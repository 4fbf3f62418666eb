import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "./crypto";
import { rsaModulusBits, verifyOidcToken } from "./oidc";

const ISS = "https://token.actions.githubusercontent.com";
const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const s = Math.floor(now / 1000);

async function rsa() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", use: "sig" };
  const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1", ...header }).sign(privateKey);
  return { jwk, sign };
}

const verify = (token: string, jwk: JWK, over: Partial<Parameters<typeof verifyOidcToken>[0]> = {}) =>
  verifyOidcToken({
    token,
    issuer: ISS,
    audience: "fleetgate",
    advertisedAlgorithms: ["RS256"],
    now,
    resolveKey: async (kid) => (kid === jwk.kid ? jwk : undefined),
    ...over,
  });

const failed = (r: Awaited<ReturnType<typeof verifyOidcToken>>) => r.checks.filter((c) => !c.ok).map((c) => c.check);

describe("verifyOidcToken", () => {
  it("accepts a valid token and reports every check as passed", async () => {
    const { jwk, sign } = await rsa();
    const r = await verify(await sign({ iss: ISS, aud: "fleetgate", exp: s + 60, iat: s, nbf: s }), jwk);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.check)).toEqual([
      "format",
      "alg",
      "kid",
      "key_size",
      "signature",
      "iss",
      "aud",
      "exp",
      "nbf",
      "iat",
    ]);
  });

  it("alg none is refused even when the issuer advertises it", async () => {
    const { jwk } = await rsa();
    const enc = (o: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(o)));
    const token = `${enc({ alg: "none", kid: "k1" })}.${enc({ iss: ISS, aud: "fleetgate", exp: s + 60 })}.`;
    const r = await verify(token, jwk, { advertisedAlgorithms: ["none", "RS256"] });
    expect(r.ok).toBe(false);
    expect(failed(r)).toContain("alg");
  });

  it("HS256 (not advertised, not asymmetric) is refused before any key is used", async () => {
    const { jwk } = await rsa();
    const token = await new SignJWT({ iss: ISS, aud: "fleetgate", exp: s + 60 })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .sign(new TextEncoder().encode("secret-secret-secret-secret-1234"));
    const r = await verify(token, jwk, { advertisedAlgorithms: ["RS256", "HS256"] });
    expect(failed(r)).toEqual(expect.arrayContaining(["alg", "signature"]));
  });

  it("exp: required; expired beyond the 60 s leeway; fine within it (PyJWT: exp <= now - leeway)", async () => {
    const { jwk, sign } = await rsa();
    expect(failed(await verify(await sign({ iss: ISS, aud: "fleetgate" }), jwk))).toEqual(["exp"]);
    expect(failed(await verify(await sign({ iss: ISS, aud: "fleetgate", exp: s - 60 }), jwk))).toEqual(["exp"]);
    expect((await verify(await sign({ iss: ISS, aud: "fleetgate", exp: s - 59 }), jwk)).ok).toBe(true);
  });

  it("iss is compared exactly; aud may be an array", async () => {
    const { jwk, sign } = await rsa();
    expect(failed(await verify(await sign({ iss: `${ISS}/`, aud: "fleetgate", exp: s + 60 }), jwk))).toEqual(["iss"]);
    expect((await verify(await sign({ iss: ISS, aud: ["a", "fleetgate"], exp: s + 60 }), jwk)).ok).toBe(true);
    expect(failed(await verify(await sign({ iss: ISS, aud: [1], exp: s + 60 }), jwk))).toEqual(["aud"]);
  });

  it("a key pinned to another algorithm, or of the wrong type, is refused", async () => {
    const { jwk, sign } = await rsa();
    const token = await sign({ iss: ISS, aud: "fleetgate", exp: s + 60 });
    expect(failed(await verify(token, { ...jwk, alg: "RS512" }, { advertisedAlgorithms: ["RS256"] }))).toContain(
      "key_type",
    );
  });

  it("garbage is a format failure, not an exception", async () => {
    const { jwk } = await rsa();
    for (const t of ["", "a.b.c", "x".repeat(20_000), "a.b"]) expect(failed(await verify(t, jwk))).toEqual(["format"]);
  });

  it("rsaModulusBits counts bits, ignoring leading zero bytes", () => {
    expect(rsaModulusBits(toBase64Url(new Uint8Array([0, 0x80, ...new Uint8Array(255)])))).toBe(2048);
    expect(rsaModulusBits(toBase64Url(new Uint8Array([0x01, ...new Uint8Array(127)])))).toBe(1017);
    expect(rsaModulusBits("!!")).toBe(0);
    expect(rsaModulusBits(undefined)).toBe(0);
  });
});
