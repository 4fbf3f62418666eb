import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32";
import { utf8 } from "./crypto";

describe("crc32", () => {
  it("gives the standard check value 0xCBF43926 for '123456789'", () => {
    expect(crc32(utf8("123456789"))).toBe(0xcbf43926);
  });

  it("is 0 for empty input", () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("matches zlib for 'The quick brown fox jumps over the lazy dog'", () => {
    expect(crc32(utf8("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
  });

  it("matches zlib for the PNG IEND chunk type", () => {
    expect(crc32(utf8("IEND"))).toBe(0xae426082);
  });

  it("returns an unsigned value for inputs with the top bit set", () => {
    expect(crc32(new Uint8Array([0xff]))).toBe(0xff000000);
  });
});
