/** Copies any BufferSource into a fresh Uint8Array. */
export function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** Returns a standalone ArrayBuffer holding exactly the given bytes. */
export function toArrayBuffer(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  return toBytes(data).buffer as ArrayBuffer;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Lowercase hex of the bytes, no separators. */
export function toHex(data: ArrayBuffer | ArrayBufferView): string {
  let hex = "";
  for (const byte of toBytes(data)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Decodes an even-length hex string; throws TypeError on anything else. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError("invalid hex string");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Standard base64 (RFC 4648 §4) of the bytes, unwrapped. */
export function toBase64(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = toBytes(data);
  let binary = "";
  // Chunked to keep String.fromCharCode's argument list small.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Strict standard base64 decode (padding required, no whitespace); null if invalid. */
export function fromBase64(b64: string): Uint8Array | null {
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  let binary: string;
  try {
    binary = atob(b64);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** SHA digest of the bytes as lowercase hex. */
export async function digestHex(algorithm: "SHA-1" | "SHA-256", data: ArrayBuffer | ArrayBufferView): Promise<string> {
  return toHex(await crypto.subtle.digest(algorithm, toBytes(data)));
}
