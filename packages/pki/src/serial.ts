import { toHex } from "./bytes";

/**
 * A fresh certificate serial number as 32 lowercase hex characters (16 octets).
 *
 * RFC 5280 §4.1.2.2: the serial MUST be a positive INTEGER of at most 20 octets and
 * unique per CA; CAs should make it unpredictable. We draw 16 random octets and force
 * the top bits of the first to 01: the value is then positive (no 0x00 sign octet needed),
 * its DER encoding is exactly 16 octets (never a shorter, leading-zero-stripped one)
 * and it keeps 126 bits of CSPRNG entropy.
 */
export function randomSerialHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return toHex(bytes);
}
