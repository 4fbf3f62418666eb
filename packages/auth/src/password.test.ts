import { describe, expect, it } from "vitest";
import { fromBase64Url } from "./crypto";
import { burnPasswordCheck, checkPasswordPolicy, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "./password";

// base64 of "test-pepper-for-vitest-only-000000" (34 bytes).
const PEPPER = "dGVzdC1wZXBwZXItZm9yLXZpdGVzdC1vbmx5LTAwMDAwMA==";
const OTHER_PEPPER = btoa("another-pepper-value-of-32-bytes");
// Computed independently with Node: pbkdf2Sync(hmac-sha256(pepper, pw), salt 00..0f, n, 32, "sha256").
const NODE_HASH_100K = "pbkdf2-sha256$100000$AAECAwQFBgcICQoLDA0ODw$lQ69cP_1fHi72SDdOAINNvZZXmRv_p0U0E6DlsAG8QI";
const NODE_HASH_1K = "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$h7VnIP30aIcioesP76XWpoRo5HZeigWwB3kc07WPIQc";

describe("PBKDF2_ITERATIONS", () => {
  it("does not exceed 100000, the most Cloudflare's production runtime accepts", () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
  });

  it("is exactly 100000", () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });
});

describe("hashPassword", () => {
  it("produces pbkdf2-sha256$100000$<16-byte salt>$<32-byte hash>", async () => {
    const stored = await hashPassword("Correct-Horse-1", PEPPER);
    const parts = stored.split("$");
    expect(parts.length).toBe(4);
    expect(parts[0]).toBe("pbkdf2-sha256");
    expect(parts[1]).toBe("100000");
    expect(fromBase64Url(parts[2] ?? "")?.length).toBe(16);
    expect(fromBase64Url(parts[3] ?? "")?.length).toBe(32);
  });

  it("uses a fresh salt each time", async () => {
    const a = await hashPassword("Correct-Horse-1", PEPPER);
    const b = await hashPassword("Correct-Horse-1", PEPPER);
    expect(a).not.toBe(b);
  });

  it("throws on a pepper shorter than 32 bytes", async () => {
    await expect(hashPassword("Correct-Horse-1", btoa("short"))).rejects.toThrow(
      "PASSWORD_PEPPER must be base64 of at least 32 bytes (got 5)",
    );
  });
});

describe("verifyPassword", () => {
  it("accepts the password it hashed", async () => {
    const stored = await hashPassword("Correct-Horse-1", PEPPER);
    expect(await verifyPassword("Correct-Horse-1", stored, PEPPER)).toBe(true);
  });

  it("rejects a wrong password", async () => {
    const stored = await hashPassword("Correct-Horse-1", PEPPER);
    expect(await verifyPassword("Correct-Horse-2", stored, PEPPER)).toBe(false);
  });

  it("rejects the right password under a different pepper", async () => {
    const stored = await hashPassword("Correct-Horse-1", PEPPER);
    expect(await verifyPassword("Correct-Horse-1", stored, OTHER_PEPPER)).toBe(false);
  });

  it("accepts a hash computed independently as HMAC-then-PBKDF2 (Node crypto)", async () => {
    expect(await verifyPassword("Correct-Horse-1", NODE_HASH_100K, PEPPER)).toBe(true);
  });

  it("honours the iteration count stored in the hash", async () => {
    expect(await verifyPassword("Correct-Horse-1", NODE_HASH_1K, PEPPER)).toBe(true);
  });

  it("rejects a stored hash whose iteration count was altered", async () => {
    const altered = NODE_HASH_1K.replace("$1000$", "$1001$");
    expect(await verifyPassword("Correct-Horse-1", altered, PEPPER)).toBe(false);
  });

  it("returns false for a stored hash above the runtime's iteration limit instead of throwing", async () => {
    const tooMany = NODE_HASH_100K.replace("$100000$", "$100001$");
    expect(await verifyPassword("Correct-Horse-1", tooMany, PEPPER)).toBe(false);
  });

  it("returns false for malformed stored values", async () => {
    const salt = "AAECAwQFBgcICQoLDA0ODw";
    const hash = "lQ69cP_1fHi72SDdOAINNvZZXmRv_p0U0E6DlsAG8QI";
    const malformed = [
      "",
      "plaintext",
      `$argon2id$v=19$m=65536,t=3,p=1$${salt}$${hash}`,
      `pbkdf2-sha1$100000$${salt}$${hash}`,
      `pbkdf2-sha256$0$${salt}$${hash}`,
      `pbkdf2-sha256$0100000$${salt}$${hash}`,
      `pbkdf2-sha256$1e5$${salt}$${hash}`,
      `pbkdf2-sha256$100000$${salt}`,
      `pbkdf2-sha256$100000$${salt}$${hash}$extra`,
      `pbkdf2-sha256$100000$AAECAwQFBgcICQoLDA0O$${hash}`,
      `pbkdf2-sha256$100000$${salt}$${hash.slice(0, -4)}`,
      `pbkdf2-sha256$100000$${salt}$${hash}=`,
    ];
    for (const stored of malformed) {
      expect(await verifyPassword("Correct-Horse-1", stored, PEPPER)).toBe(false);
    }
  });
});

describe("burnPasswordCheck", () => {
  it("completes the full-cost dummy verification", async () => {
    await expect(burnPasswordCheck(PEPPER)).resolves.toBeUndefined();
  });

  it("fails on a bad pepper exactly like a real verification", async () => {
    await expect(burnPasswordCheck(btoa("short"))).rejects.toThrow("PASSWORD_PEPPER");
    await expect(verifyPassword("x", NODE_HASH_1K, btoa("short"))).rejects.toThrow("PASSWORD_PEPPER");
  });
});

describe("checkPasswordPolicy", () => {
  it("accepts a password meeting every rule", () => {
    expect(checkPasswordPolicy("Abcdef1!")).toBeNull();
  });

  it("rejects fewer than 8 characters", () => {
    expect(checkPasswordPolicy("Abcde1!")).toBe("Password must be at least 8 characters");
  });

  it("checks length before character classes, as LPM does", () => {
    expect(checkPasswordPolicy("")).toBe("Password must be at least 8 characters");
  });

  it("counts length in UTF-8 bytes like Rust's str::len", () => {
    // 4 characters, 8 bytes: LPM accepts the length and moves on to the next rule.
    expect(checkPasswordPolicy("éééé")).toBe("Password must contain at least one uppercase letter");
  });

  it("rejects more than 1024 bytes", () => {
    const pw = `Aa1!${"x".repeat(1021)}`;
    expect(checkPasswordPolicy(pw)).toBe("Password must be at most 1024 characters");
  });

  it("accepts exactly 1024 bytes", () => {
    expect(checkPasswordPolicy(`Aa1!${"x".repeat(1020)}`)).toBeNull();
  });

  it("requires an ASCII uppercase letter", () => {
    expect(checkPasswordPolicy("abcdef1!")).toBe("Password must contain at least one uppercase letter");
    expect(checkPasswordPolicy("Ébcdef1!")).toBe("Password must contain at least one uppercase letter");
  });

  it("requires an ASCII lowercase letter", () => {
    expect(checkPasswordPolicy("ABCDEF1!")).toBe("Password must contain at least one lowercase letter");
  });

  it("requires a digit", () => {
    expect(checkPasswordPolicy("Abcdefg!")).toBe("Password must contain at least one digit");
  });

  it("requires a special character from LPM's set", () => {
    expect(checkPasswordPolicy("Abcdefg1")).toBe(
      "Password must contain at least one special character (!@#$%^&*()_+-=[]{}|;:,.<>?)",
    );
  });

  it("does not count characters outside LPM's special set", () => {
    expect(checkPasswordPolicy("Abcdefg1 ~")).toBe(
      "Password must contain at least one special character (!@#$%^&*()_+-=[]{}|;:,.<>?)",
    );
  });

  it("accepts each character of LPM's special set", () => {
    for (const c of "!@#$%^&*()_+-=[]{}|;:,.<>?") {
      expect(checkPasswordPolicy(`Abcdefg1${c}`)).toBeNull();
    }
  });
});
