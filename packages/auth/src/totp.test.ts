import { describe, expect, it } from "vitest";
import { currentTotp, generateTotpSecret, totpStep, totpUri, verifyTotp } from "./totp";

// RFC 6238 Appendix B SHA-1 seed "12345678901234567890", base32-encoded.
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
// RFC 6238 Appendix B (SHA-1): Unix time (s) → 8-digit TOTP. With 6 digits the code is
// the last 6 digits, because HOTP truncation is the same value mod 10^6 (RFC 4226 §5.3).
const RFC_VECTORS: Array<[number, string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const T = 1_700_000_000_000; // a fixed "now", in ms
const STEP = Math.floor(T / 30_000);

describe("currentTotp", () => {
  it("matches every RFC 6238 Appendix B SHA-1 vector (6-digit form)", () => {
    for (const [seconds, code8] of RFC_VECTORS) {
      expect(currentTotp(RFC_SECRET, seconds * 1000)).toBe(code8.slice(2));
    }
  });
});

describe("totpStep", () => {
  it("is floor(unix seconds / 30)", () => {
    expect(totpStep(59_000)).toBe(1);
    expect(totpStep(T)).toBe(STEP);
  });
});

describe("generateTotpSecret", () => {
  it("is 32 base32 characters (20 bytes, unpadded)", () => {
    expect(generateTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
  });

  it("is different each time", () => {
    expect(generateTotpSecret()).not.toBe(generateTotpSecret());
  });

  it("produces codes that verify", () => {
    const secret = generateTotpSecret();
    expect(verifyTotp(secret, currentTotp(secret, T), { now: T, lastStep: 0 })).toEqual({ ok: true, step: STEP });
  });
});

describe("totpUri", () => {
  it("builds the Key Uri Format URI with SHA1, 6 digits, 30 s", () => {
    expect(totpUri({ issuer: "Fleetgate", account: "alice", secret: "JBSWY3DPEHPK3PXP" })).toBe(
      "otpauth://totp/Fleetgate:alice?issuer=Fleetgate&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
    );
  });

  it("URL-encodes issuer and account, including ':' and '&'", () => {
    expect(totpUri({ issuer: "Fleet Gate:x&y", account: "alice@example.com", secret: "JBSWY3DPEHPK3PXP" })).toBe(
      "otpauth://totp/Fleet%20Gate%3Ax%26y:alice%40example.com?issuer=Fleet%20Gate%3Ax%26y&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
    );
  });
});

describe("verifyTotp", () => {
  it("accepts the current code and returns its step", () => {
    const code = currentTotp(RFC_SECRET, T);
    expect(verifyTotp(RFC_SECRET, code, { now: T, lastStep: 0 })).toEqual({ ok: true, step: STEP });
  });

  it("accepts the previous step's code within the default window", () => {
    const code = currentTotp(RFC_SECRET, T - 30_000);
    expect(verifyTotp(RFC_SECRET, code, { now: T, lastStep: 0 })).toEqual({ ok: true, step: STEP - 1 });
  });

  it("accepts the next step's code within the default window", () => {
    const code = currentTotp(RFC_SECRET, T + 30_000);
    expect(verifyTotp(RFC_SECRET, code, { now: T, lastStep: 0 })).toEqual({ ok: true, step: STEP + 1 });
  });

  it("rejects a code two steps old with the default window", () => {
    const code = currentTotp(RFC_SECRET, T - 60_000);
    expect(verifyTotp(RFC_SECRET, code, { now: T, lastStep: 0 })).toEqual({ ok: false });
  });

  it("accepts a code two steps old with window 2", () => {
    const code = currentTotp(RFC_SECRET, T - 60_000);
    expect(verifyTotp(RFC_SECRET, code, { now: T, lastStep: 0, window: 2 })).toEqual({ ok: true, step: STEP - 2 });
  });

  it("with window 0 accepts only the current step", () => {
    expect(verifyTotp(RFC_SECRET, currentTotp(RFC_SECRET, T), { now: T, lastStep: 0, window: 0 })).toEqual({
      ok: true,
      step: STEP,
    });
    expect(verifyTotp(RFC_SECRET, currentTotp(RFC_SECRET, T - 30_000), { now: T, lastStep: 0, window: 0 })).toEqual({
      ok: false,
    });
  });

  it("refuses to accept the same code twice (RFC 6238 §5.2)", () => {
    const code = currentTotp(RFC_SECRET, T);
    const first = verifyTotp(RFC_SECRET, code, { now: T, lastStep: 0 });
    expect(first).toEqual({ ok: true, step: STEP });
    const lastStep = first.ok ? first.step : 0;
    expect(verifyTotp(RFC_SECRET, code, { now: T + 5_000, lastStep })).toEqual({ ok: false });
  });

  it("refuses an older step's code once a newer step was accepted", () => {
    const older = currentTotp(RFC_SECRET, T - 30_000);
    expect(verifyTotp(RFC_SECRET, older, { now: T, lastStep: STEP })).toEqual({ ok: false });
  });

  it("accepts the next step's code after the current one was used", () => {
    const next = currentTotp(RFC_SECRET, T + 30_000);
    expect(verifyTotp(RFC_SECRET, next, { now: T + 30_000, lastStep: STEP })).toEqual({ ok: true, step: STEP + 1 });
  });

  it("rejects a wrong code", () => {
    const code = currentTotp(RFC_SECRET, T);
    const wrong = code === "000000" ? "000001" : "000000";
    expect(verifyTotp(RFC_SECRET, wrong, { now: T, lastStep: 0 })).toEqual({ ok: false });
  });

  it("rejects codes that are not exactly 6 ASCII digits", () => {
    const code = currentTotp(RFC_SECRET, T);
    for (const bad of ["", code.slice(0, 5), `${code}0`, ` ${code}`, `${code} `, "12345a", "１２３４５６", "+12345"]) {
      expect(verifyTotp(RFC_SECRET, bad, { now: T, lastStep: 0 })).toEqual({ ok: false });
    }
  });

  it("rejects when the secret is not base32", () => {
    expect(verifyTotp("not-base32!", "123456", { now: T, lastStep: 0 })).toEqual({ ok: false });
    expect(verifyTotp("", "123456", { now: T, lastStep: 0 })).toEqual({ ok: false });
  });

  it("throws on an invalid window (a programming error)", () => {
    expect(() => verifyTotp(RFC_SECRET, "123456", { now: T, lastStep: 0, window: -1 })).toThrow(RangeError);
    expect(() => verifyTotp(RFC_SECRET, "123456", { now: T, lastStep: 0, window: 1.5 })).toThrow(RangeError);
    expect(() => verifyTotp(RFC_SECRET, "123456", { now: T, lastStep: 0, window: 11 })).toThrow(RangeError);
  });

  it("uses the real clock when now is omitted", () => {
    const secret = generateTotpSecret();
    const result = verifyTotp(secret, currentTotp(secret), { lastStep: 0 });
    expect(result.ok).toBe(true);
  });
});
