import { describe, expect, it } from "vitest";
import { sha256Hex } from "./crypto";
import { generateZtlToken, hashApiToken, parseZtlToken, ztlChecksum } from "./ztl-token";

// The example token from Zentral's API documentation.
const ZENTRAL_EXAMPLE = "ztls_0xtePqPLfggHUaAi6NkDVuakz4jtQZ2ObLY3";

describe("ztlChecksum", () => {
  it("gives 2ObLY3 for the body of Zentral's documented example", () => {
    expect(ztlChecksum("ztls_0xtePqPLfggHUaAi6NkDVuakz4jtQZ")).toBe("2ObLY3");
  });

  it("left-pads short values with 0 to 6 characters", () => {
    // CRC32("") is 0, whose base62 form is empty.
    expect(ztlChecksum("")).toBe("000000");
  });
});

describe("parseZtlToken", () => {
  it("accepts Zentral's documented example as a service token", () => {
    expect(parseZtlToken(ZENTRAL_EXAMPLE)).toEqual({ ok: true, kind: "s" });
  });

  it("rejects the example with one random character changed", () => {
    expect(parseZtlToken(ZENTRAL_EXAMPLE.replace("0xte", "1xte"))).toEqual({ ok: false });
  });

  it("rejects the example with a wrong checksum", () => {
    expect(parseZtlToken(`${ZENTRAL_EXAMPLE.slice(0, -1)}4`)).toEqual({ ok: false });
  });

  it("rejects the example with its kind switched (the prefix is checksummed)", () => {
    expect(parseZtlToken(`ztlu${ZENTRAL_EXAMPLE.slice(4)}`)).toEqual({ ok: false });
  });

  it("rejects wrong lengths", () => {
    expect(parseZtlToken(ZENTRAL_EXAMPLE.slice(0, -1))).toEqual({ ok: false });
    expect(parseZtlToken(`${ZENTRAL_EXAMPLE}0`)).toEqual({ ok: false });
    expect(parseZtlToken("")).toEqual({ ok: false });
  });

  it("rejects unknown prefixes and kinds", () => {
    const tail = ZENTRAL_EXAMPLE.slice(5);
    expect(parseZtlToken(`ztlx_${tail}`)).toEqual({ ok: false });
    expect(parseZtlToken(`ZTLS_${tail}`)).toEqual({ ok: false });
    expect(parseZtlToken(`abcs_${tail}`)).toEqual({ ok: false });
    expect(parseZtlToken(`ztls-${tail}`)).toEqual({ ok: false });
  });

  it("rejects characters outside 0-9a-zA-Z", () => {
    expect(parseZtlToken(ZENTRAL_EXAMPLE.replace("0xte", "-xte"))).toEqual({ ok: false });
    expect(parseZtlToken(ZENTRAL_EXAMPLE.replace("0xte", "éxte").slice(0, 41))).toEqual({ ok: false });
  });
});

describe("generateZtlToken", () => {
  it("generates 41-character user tokens that parse as kind u", () => {
    const t = generateZtlToken("u");
    expect(t).toMatch(/^ztlu_[0-9a-zA-Z]{36}$/);
    expect(t.length).toBe(41);
    expect(parseZtlToken(t)).toEqual({ ok: true, kind: "u" });
  });

  it("generates service tokens that parse as kind s", () => {
    const t = generateZtlToken("s");
    expect(t.startsWith("ztls_")).toBe(true);
    expect(parseZtlToken(t)).toEqual({ ok: true, kind: "s" });
  });

  it("ends every token with the checksum of its first 35 characters", () => {
    for (let i = 0; i < 50; i++) {
      const t = generateZtlToken("s");
      expect(t.slice(35)).toBe(ztlChecksum(t.slice(0, 35)));
    }
  });

  it("generates different tokens each time", () => {
    expect(generateZtlToken("u")).not.toBe(generateZtlToken("u"));
  });
});

describe("hashApiToken", () => {
  it("is the SHA-256 hex of the token", async () => {
    expect(await hashApiToken(ZENTRAL_EXAMPLE)).toBe(await sha256Hex(ZENTRAL_EXAMPLE));
    expect(await hashApiToken(ZENTRAL_EXAMPLE)).toMatch(/^[0-9a-f]{64}$/);
  });
});
