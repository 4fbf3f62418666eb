import { describe, expect, it } from "vitest";
import { sha256Hex } from "./crypto";
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from "./recovery-codes";

describe("generateRecoveryCodes", () => {
  it("returns 10 codes by default", () => {
    expect(generateRecoveryCodes().length).toBe(10);
  });

  it("returns the requested number of codes", () => {
    expect(generateRecoveryCodes(3).length).toBe(3);
    expect(generateRecoveryCodes(0)).toEqual([]);
  });

  it("makes each code 10 characters of upper-case base32", () => {
    for (const code of generateRecoveryCodes(50)) expect(code).toMatch(/^[A-Z2-7]{10}$/);
  });

  it("never repeats a code within one set", () => {
    expect(new Set(generateRecoveryCodes(200)).size).toBe(200);
  });
});

describe("normalizeRecoveryCode", () => {
  it("upper-cases and strips spaces and dashes", () => {
    expect(normalizeRecoveryCode(" abcde-fgh23 ")).toBe("ABCDEFGH23");
    expect(normalizeRecoveryCode("ABC DE-FG\tH23")).toBe("ABCDEFGH23");
  });
});

describe("hashRecoveryCode", () => {
  it("is the SHA-256 hex of the normalised code", async () => {
    expect(await hashRecoveryCode("ABCDEFGH23")).toBe(await sha256Hex("ABCDEFGH23"));
    expect(await hashRecoveryCode("ABCDEFGH23")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes formatting variants of the same code identically", async () => {
    const canonical = await hashRecoveryCode("ABCDEFGH23");
    expect(await hashRecoveryCode("abcde-fgh23")).toBe(canonical);
    expect(await hashRecoveryCode("ABCDE FGH23")).toBe(canonical);
  });

  it("hashes different codes differently", async () => {
    expect(await hashRecoveryCode("ABCDEFGH23")).not.toBe(await hashRecoveryCode("ABCDEFGH24"));
  });
});
