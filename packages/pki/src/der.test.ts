import { describe, expect, it } from "vitest";
import { derElementLength, derOid, derTlv, derUnsignedInteger } from "./der";
import { randomSerialHex } from "./serial";

describe("der", () => {
  it("encodes minimal positive INTEGERs", () => {
    expect([...derUnsignedInteger(0)]).toEqual([2, 1, 0]);
    expect([...derUnsignedInteger(127)]).toEqual([2, 1, 127]);
    expect([...derUnsignedInteger(128)]).toEqual([2, 2, 0, 128]);
    expect([...derUnsignedInteger(65536)]).toEqual([2, 3, 1, 0, 0]);
    expect(() => derUnsignedInteger(-1)).toThrow(RangeError);
  });

  it("encodes OIDs", () => {
    expect([...derOid("1.2.840.113549.1.7.2")]).toEqual([6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 7, 2]);
    expect([...derOid("2.5.29.20")]).toEqual([6, 3, 0x55, 0x1d, 0x14]);
  });

  it("encodes long-form lengths and measures elements", () => {
    const long = derTlv(0x04, new Uint8Array(300));
    expect([...long.slice(0, 4)]).toEqual([4, 0x82, 1, 44]);
    expect(derElementLength(long)).toBe(304);
    expect(derElementLength(derTlv(0x30))).toBe(2);
    expect(derElementLength(Uint8Array.of(0x30, 0x80))).toBeNull(); // indefinite length
    expect(derElementLength(Uint8Array.of(0x30, 0x81, 0x05))).toBeNull(); // non-minimal length
    expect(derElementLength(Uint8Array.of(0x30))).toBeNull();
  });
});

describe("randomSerialHex", () => {
  it("is 16 octets, positive, with a non-zero first octet", () => {
    for (let i = 0; i < 200; i++) expect(randomSerialHex()).toMatch(/^[4-7][0-9a-f]{31}$/);
  });
});
