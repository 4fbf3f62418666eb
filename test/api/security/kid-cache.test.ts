import { env } from "cloudflare:workers";
import {
  createDomainContext,
  KID_CACHE_MAX,
  publishedKeys,
  verificationKey,
  verificationKeyCacheSize,
} from "@fleetgate/domain";
import { describe, expect, it } from "vitest";

const ctx = () => createDomainContext(env, { requestId: "kid-cache", issuer: "http://127.0.0.1" });
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

describe("low: the kid cache is bounded and never caches misses", () => {
  it("malformed kids are refused before any lookup; unknown well-formed kids are not cached", async () => {
    const c = await ctx();
    const before = verificationKeyCacheSize();
    for (const kid of ["", "../../etc", "x".repeat(5000), "a b", "é".repeat(43)]) {
      expect(await verificationKey(c, kid)).toBeUndefined();
    }
    for (let i = 0; i < KID_CACHE_MAX * 3; i++) {
      expect(await verificationKey(c, b64url(crypto.getRandomValues(new Uint8Array(32))))).toBeUndefined();
    }
    expect(verificationKeyCacheSize()).toBe(before);
  });

  it("a real key still verifies and is cached; the cache never exceeds its bound", async () => {
    const c = await ctx();
    const [key] = await publishedKeys(c);
    const kid = String(key?.kid);
    expect(await verificationKey(c, kid)).toMatchObject({ kid });
    expect(verificationKeyCacheSize()).toBeGreaterThan(0);
    expect(verificationKeyCacheSize()).toBeLessThanOrEqual(KID_CACHE_MAX);
  });
});
