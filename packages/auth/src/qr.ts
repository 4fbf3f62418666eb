/**
 * QR code images for TOTP enrollment: the module matrix from `qr` (ISO/IEC 18004),
 * drawn as an 8-bit greyscale PNG encoded by `fast-png`. Both are pure JavaScript,
 * so they run in workerd without Node's zlib.
 */
import { encode as encodePng } from "fast-png";
import { encodeQR } from "qr";

/** Quiet zone around the symbol, in modules: the 4 that ISO/IEC 18004 requires for QR Code. */
const QUIET_ZONE = 4;
const MAX_SIZE = 4096;
const DARK = 0;
const LIGHT = 255;

/**
 * A PNG of `text` as a QR code (error correction M), `size` × `size` pixels, black on
 * white with a 4-module quiet zone. Each module is a whole number of pixels; leftover
 * pixels widen the white margin. When the symbol needs more than `size` pixels the
 * image grows to one pixel per module. Throws RangeError for a bad size or text too
 * long for any QR version (both programming errors for enrollment URIs).
 */
export async function qrPng(text: string, size = 256): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) {
    throw new RangeError(`qrPng: size must be an integer in 1..${MAX_SIZE}`);
  }
  const modules = encodeQR(text, "raw", { ecc: "medium", border: QUIET_ZONE });
  const count = modules.length;
  const side = Math.max(size, count);
  const scale = Math.floor(side / count);
  const offset = Math.floor((side - count * scale) / 2);
  const pixels = new Uint8Array(side * side).fill(LIGHT);
  modules.forEach((row, my) => {
    row.forEach((dark, mx) => {
      if (!dark) return;
      const x0 = offset + mx * scale;
      for (let y = offset + my * scale; y < offset + (my + 1) * scale; y++) {
        pixels.fill(DARK, y * side + x0, y * side + x0 + scale);
      }
    });
  });
  return encodePng({ width: side, height: side, data: pixels, depth: 8, channels: 1 });
}
