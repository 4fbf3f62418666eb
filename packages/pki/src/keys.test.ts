import { describe, expect, it } from "vitest";
import { hasSaneRsaExponent } from "./keys";

describe("hasSaneRsaExponent", () => {
  const fake = (name: string, publicExponent?: Uint8Array) =>
    ({ algorithm: publicExponent ? { name, publicExponent, modulusLength: 2048 } : { name } }) as unknown as CryptoKey;
  it("accepts odd exponents >= 3 and refuses the rest", () => {
    expect(hasSaneRsaExponent(fake("RSASSA-PKCS1-v1_5", Uint8Array.of(1, 0, 1)))).toBe(true);
    expect(hasSaneRsaExponent(fake("RSASSA-PKCS1-v1_5", Uint8Array.of(0, 3)))).toBe(true);
    expect(hasSaneRsaExponent(fake("RSASSA-PKCS1-v1_5", Uint8Array.of(1)))).toBe(false);
    expect(hasSaneRsaExponent(fake("RSASSA-PKCS1-v1_5", Uint8Array.of(1, 0, 0)))).toBe(false);
    expect(hasSaneRsaExponent(fake("RSASSA-PKCS1-v1_5", Uint8Array.of(0, 0)))).toBe(false);
    expect(hasSaneRsaExponent(fake("ECDSA"))).toBe(false);
  });
});
