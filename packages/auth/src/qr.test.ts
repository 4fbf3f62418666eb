import { decode as decodePng } from "fast-png";
import { decodeQR } from "qr/decode.js";
import { describe, expect, it } from "vitest";
import { qrPng } from "./qr";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const URI =
  "otpauth://totp/Fleetgate:alice%40example.com?issuer=Fleetgate&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30";

/** Reads the big-endian u32 at `offset`. */
function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset);
}

/** Decodes a greyscale PNG back to the text of the QR code it shows. */
function readQr(png: Uint8Array): string {
  const image = decodePng(png);
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let i = 0; i < image.width * image.height; i++) {
    const v = image.data[i] ?? 0;
    rgba.set([v, v, v, 255], i * 4);
  }
  return decodeQR({ width: image.width, height: image.height, data: rgba }, { format: "RGBA" });
}

describe("qrPng", () => {
  it("starts with the PNG signature", async () => {
    const png = await qrPng(URI);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it("declares a 256×256 8-bit greyscale image in IHDR by default", async () => {
    const png = await qrPng(URI);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe("IHDR");
    expect(u32(png, 16)).toBe(256);
    expect(u32(png, 20)).toBe(256);
    expect([png[24], png[25]]).toEqual([8, 0]); // bit depth 8, colour type 0 (greyscale)
  });

  it("decodes as a PNG of the requested size", async () => {
    const image = decodePng(await qrPng(URI, 300));
    expect([image.width, image.height, image.channels, image.depth]).toEqual([300, 300, 1, 8]);
  });

  it("contains only black and white pixels with a white corner (quiet zone)", async () => {
    const image = decodePng(await qrPng(URI));
    expect(new Set(image.data)).toEqual(new Set([0, 255]));
    expect(image.data[0]).toBe(255);
  });

  it("draws dark modules black, starting after the 4-module quiet zone", async () => {
    // "hello" is a version 1 symbol: 21 modules + 2 × 4 quiet zone = 29; at 232 px each module is 8 px.
    const image = decodePng(await qrPng("hello", 232));
    const at = (x: number, y: number) => image.data[y * image.width + x];
    expect(at(31, 31)).toBe(255); // last quiet-zone pixel
    expect(at(32, 32)).toBe(0); // top-left corner of the top-left finder pattern
    expect(at(32 + 7 * 8 - 1, 32)).toBe(0); // the finder pattern is 7 modules wide
    expect(at(32 + 7 * 8, 32)).toBe(255); // followed by its white separator
  });

  it("decodes back to the original otpauth URI", async () => {
    expect(readQr(await qrPng(URI))).toBe(URI);
  });

  it("decodes back to short text", async () => {
    expect(readQr(await qrPng("hello"))).toBe("hello");
  });

  it("grows to one pixel per module when size is too small for the symbol", async () => {
    const image = decodePng(await qrPng(URI, 10));
    expect(image.width).toBeGreaterThan(10);
    expect(image.width).toBe(image.height);
  });

  it("throws RangeError for an invalid size", async () => {
    await expect(qrPng(URI, 0)).rejects.toThrow(RangeError);
    await expect(qrPng(URI, 1.5)).rejects.toThrow(RangeError);
  });
});
