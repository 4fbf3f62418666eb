import { describe, expect, it } from "vitest";
import {
  decodeSecretB64,
  decrypt,
  deriveKeys,
  encrypt,
  fromBase64Url,
  hmacSign,
  hmacVerify,
  randomBytes,
  randomFromAlphabet,
  randomHex,
  sha256Hex,
  timingSafeEqual,
  timingSafeEqualBytes,
  toBase64Url,
  toHex,
  utf8,
  xorEqual,
} from "./crypto";

// base64 of "test-master-key-for-vitest-only-01" (34 bytes); the KAT values below
// were computed independently with Node's crypto.hkdfSync / createHmac / aes-256-gcm.
const MASTER = "dGVzdC1tYXN0ZXIta2V5LWZvci12aXRlc3Qtb25seS0wMQ==";
const KAT_URL_SIG = "-onb614v7JkLOYA3gNuiPIFEG7nPmXHGRuzrIcHc0R0";
const KAT_WRAP_TOKEN = "v1.AAECAwQFBgcICQoL.lYRSm7OHd2DXIImUr1pnd4IpmGKQZzHbEsIlBe4t";
const KAT_DATA_TOKEN = "v1.AAECAwQFBgcICQoL.DdcSP9AVql8_KeTYsyGd_Nzy20dUDOG2cc1aq1su";

describe("randomBytes", () => {
  it("returns the requested length", () => {
    expect(randomBytes(0).length).toBe(0);
    expect(randomBytes(33).length).toBe(33);
  });

  it("fills buffers larger than the 65536-byte getRandomValues limit", () => {
    const b = randomBytes(70_000);
    expect(b.length).toBe(70_000);
    expect(b.subarray(65_536).some((x) => x !== 0)).toBe(true);
  });

  it("gives different output on each call", () => {
    expect(toHex(randomBytes(16))).not.toBe(toHex(randomBytes(16)));
  });

  it("rejects a negative length", () => {
    expect(() => randomBytes(-1)).toThrow(RangeError);
  });
});

describe("randomFromAlphabet", () => {
  it("uses only alphabet symbols and the requested length", () => {
    const s = randomFromAlphabet(500, "abc");
    expect(s).toMatch(/^[abc]{500}$/);
  });

  it("reaches every symbol of a 62-symbol alphabet", () => {
    const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    expect(new Set(randomFromAlphabet(5000, alphabet)).size).toBe(62);
  });
});

describe("base64url", () => {
  it("encodes the RFC 4648 §10 vectors without padding", () => {
    const vectors: Array<[string, string]> = [
      ["", ""],
      ["f", "Zg"],
      ["fo", "Zm8"],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg"],
      ["fooba", "Zm9vYmE"],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(toBase64Url(utf8(plain))).toBe(encoded);
      expect(fromBase64Url(encoded)).toEqual(utf8(plain));
    }
  });

  it("uses - and _ instead of + and /", () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe("-_-_");
    expect(fromBase64Url("-_-_")).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
  });

  it("round-trips all byte values", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(fromBase64Url(toBase64Url(all))).toEqual(all);
  });

  it("rejects padding, standard-alphabet characters and impossible lengths", () => {
    expect(fromBase64Url("Zg==")).toBeNull();
    expect(fromBase64Url("+/+/")).toBeNull();
    expect(fromBase64Url("Zm9vY")).toBeNull();
    expect(fromBase64Url("Zm 9v")).toBeNull();
  });

  it("rejects a non-canonical encoding with non-zero trailing bits", () => {
    expect(fromBase64Url("Zh")).toBeNull();
    expect(fromBase64Url("Zg")).toEqual(utf8("f"));
  });
});

describe("decodeSecretB64", () => {
  it("accepts padded standard base64 of at least 32 bytes", () => {
    expect(decodeSecretB64(MASTER, "MASTER_KEY").length).toBe(34);
  });

  it("throws on a secret shorter than 32 bytes", () => {
    expect(() => decodeSecretB64(btoa("x".repeat(31)), "MASTER_KEY")).toThrow(
      "MASTER_KEY must be base64 of at least 32 bytes (got 31)",
    );
  });

  it("throws on text that is not base64", () => {
    expect(() => decodeSecretB64("not base64!", "PASSWORD_PEPPER")).toThrow("PASSWORD_PEPPER is not valid base64");
  });
});

describe("hex", () => {
  it("encodes lowercase with leading zeros", () => {
    expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe("0001abff");
  });

  it("randomHex returns 2 characters per byte", () => {
    expect(randomHex(32)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 'abc' vector", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("hashes the empty string", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("hashes bytes the same as the equivalent UTF-8 string", async () => {
    expect(await sha256Hex(utf8("abc"))).toBe(await sha256Hex("abc"));
  });
});

describe("timingSafeEqual", () => {
  it("workerd provides crypto.subtle.timingSafeEqual, so the native path is used", () => {
    const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: unknown };
    expect(typeof subtle.timingSafeEqual).toBe("function");
  });

  it("is true for equal strings", () => {
    expect(timingSafeEqual("s3cr3t-value", "s3cr3t-value")).toBe(true);
  });

  it("is false for same-length strings differing in the last character", () => {
    expect(timingSafeEqual("s3cr3t-value", "s3cr3t-valuf")).toBe(false);
  });

  it("is false for different lengths without throwing", () => {
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("", "a")).toBe(false);
  });

  it("is true for two empty strings", () => {
    expect(timingSafeEqual("", "")).toBe(true);
  });

  it("compares by UTF-8 bytes", () => {
    expect(timingSafeEqual("é", "é")).toBe(true);
    expect(timingSafeEqual("é", "e\u0301")).toBe(false);
  });

  it("timingSafeEqualBytes is false for a prefix", () => {
    expect(timingSafeEqualBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
  });

  it("the portable XOR fallback agrees with the native path", () => {
    expect(xorEqual(utf8("abc"), utf8("abc"))).toBe(true);
    expect(xorEqual(utf8("abc"), utf8("abd"))).toBe(false);
    expect(xorEqual(utf8("abc"), utf8("ab"))).toBe(false);
  });
});

describe("deriveKeys", () => {
  it("derives the URL-signing key exactly as RFC 5869 HKDF-SHA256 with info fleetgate/url-sign/v1", async () => {
    const { urlSign } = await deriveKeys(MASTER);
    expect(await hmacSign(urlSign, "fleetgate")).toBe(KAT_URL_SIG);
  });

  it("derives the wrap key with info fleetgate/wrap/v1", async () => {
    const { wrap } = await deriveKeys(MASTER);
    expect(await decrypt(wrap, KAT_WRAP_TOKEN, "kat")).toBe("fleetgate wrap");
  });

  it("derives the data key with info fleetgate/data/v1", async () => {
    const { data } = await deriveKeys(MASTER);
    expect(await decrypt(data, KAT_DATA_TOKEN, "kat")).toBe("fleetgate data");
  });

  it("keeps wrap and data keys independent", async () => {
    const { wrap, data } = await deriveKeys(MASTER);
    expect(await decrypt(data, KAT_WRAP_TOKEN, "kat")).toBeNull();
    expect(await decrypt(wrap, await encrypt(data, "x"))).toBeNull();
  });

  it("returns AES-256-GCM and HMAC-SHA256 keys that cannot be exported", async () => {
    const { wrap, data, urlSign } = await deriveKeys(MASTER);
    expect(wrap.algorithm).toEqual({ name: "AES-GCM", length: 256 });
    expect(data.algorithm).toEqual({ name: "AES-GCM", length: 256 });
    expect(urlSign.algorithm).toMatchObject({ name: "HMAC", hash: { name: "SHA-256" } });
    expect([wrap.extractable, data.extractable, urlSign.extractable]).toEqual([false, false, false]);
  });

  it("throws on a master key shorter than 32 bytes", async () => {
    await expect(deriveKeys(btoa("short-key"))).rejects.toThrow(
      "MASTER_KEY must be base64 of at least 32 bytes (got 9)",
    );
  });

  it("gives different keys for different master keys", async () => {
    const other = await deriveKeys(btoa("another-master-key-of-32-bytes!!"));
    expect(await hmacSign(other.urlSign, "fleetgate")).not.toBe(KAT_URL_SIG);
  });
});

describe("encrypt / decrypt", () => {
  it("round-trips UTF-8 text", async () => {
    const { data } = await deriveKeys(MASTER);
    const token = await encrypt(data, "héllo wörld ✓");
    expect(await decrypt(data, token)).toBe("héllo wörld ✓");
  });

  it("keeps a leading byte-order mark", async () => {
    const { data } = await deriveKeys(MASTER);
    expect(await decrypt(data, await encrypt(data, "\uFEFFx"))).toBe("\uFEFFx");
  });

  it("produces v1.<12-byte iv>.<ciphertext + 16-byte tag>", async () => {
    const { data } = await deriveKeys(MASTER);
    const parts = (await encrypt(data, "abc")).split(".");
    expect(parts.length).toBe(3);
    expect(parts[0]).toBe("v1");
    expect(fromBase64Url(parts[1] ?? "")?.length).toBe(12);
    expect(fromBase64Url(parts[2] ?? "")?.length).toBe(3 + 16);
  });

  it("uses a fresh IV for every encryption", async () => {
    const { data } = await deriveKeys(MASTER);
    const a = await encrypt(data, "same");
    const b = await encrypt(data, "same");
    expect(a.split(".")[1]).not.toBe(b.split(".")[1]);
  });

  it("round-trips with matching AAD", async () => {
    const { data } = await deriveKeys(MASTER);
    expect(await decrypt(data, await encrypt(data, "secret", "user:42"), "user:42")).toBe("secret");
  });

  it("returns null when the AAD differs", async () => {
    const { data } = await deriveKeys(MASTER);
    expect(await decrypt(data, await encrypt(data, "secret", "user:42"), "user:43")).toBeNull();
  });

  it("returns null when AAD was used to encrypt but not given to decrypt", async () => {
    const { data } = await deriveKeys(MASTER);
    expect(await decrypt(data, await encrypt(data, "secret", "user:42"))).toBeNull();
  });

  it("returns null when one ciphertext character is changed", async () => {
    const { data } = await deriveKeys(MASTER);
    const token = await encrypt(data, "secret");
    const last = token.at(-2) === "A" ? "B" : "A";
    const tampered = `${token.slice(0, -2)}${last}${token.slice(-1)}`;
    expect(await decrypt(data, tampered)).toBeNull();
  });

  it("returns null when the IV is changed", async () => {
    const { data } = await deriveKeys(MASTER);
    const [v, , ct] = (await encrypt(data, "secret")).split(".");
    expect(await decrypt(data, `${v}.${toBase64Url(new Uint8Array(12))}.${ct}`)).toBeNull();
  });

  it("returns null for malformed tokens", async () => {
    const { data } = await deriveKeys(MASTER);
    for (const bad of ["", "v1", "v1..", "v2.AAECAwQFBgcICQoL.AAAA", "v1.AAAA.AAAAAAAAAAAAAAAAAAAAAA", "v1.a.b.c"]) {
      expect(await decrypt(data, bad)).toBeNull();
    }
  });

  it("returns null when the ciphertext is shorter than the GCM tag", async () => {
    const { data } = await deriveKeys(MASTER);
    expect(await decrypt(data, `v1.AAECAwQFBgcICQoL.${toBase64Url(new Uint8Array(15))}`)).toBeNull();
  });
});

describe("hmacSign / hmacVerify", () => {
  it("verifies its own signature", async () => {
    const { urlSign } = await deriveKeys(MASTER);
    const sig = await hmacSign(urlSign, "/download/abc?exp=1");
    expect(await hmacVerify(urlSign, "/download/abc?exp=1", sig)).toBe(true);
  });

  it("rejects a different message", async () => {
    const { urlSign } = await deriveKeys(MASTER);
    const sig = await hmacSign(urlSign, "/download/abc?exp=1");
    expect(await hmacVerify(urlSign, "/download/abc?exp=2", sig)).toBe(false);
  });

  it("rejects a truncated signature", async () => {
    const { urlSign } = await deriveKeys(MASTER);
    const sig = await hmacSign(urlSign, "m");
    expect(await hmacVerify(urlSign, "m", sig.slice(0, 40))).toBe(false);
  });

  it("rejects a signature that is not base64url", async () => {
    const { urlSign } = await deriveKeys(MASTER);
    expect(await hmacVerify(urlSign, "m", "not a signature!")).toBe(false);
  });

  it("accepts byte messages", async () => {
    const { urlSign } = await deriveKeys(MASTER);
    expect(await hmacSign(urlSign, utf8("fleetgate"))).toBe(KAT_URL_SIG);
    expect(await hmacVerify(urlSign, utf8("fleetgate"), KAT_URL_SIG)).toBe(true);
  });
});
