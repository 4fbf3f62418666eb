import { currentTotp } from "@fleetgate/auth";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, type Session, userWithRole } from "../auth-helpers";
import { call, nativeError } from "../helpers";

/** A fresh TOTP secret from GET /auth/mfa/setup. */
async function setupSecret(session: Session): Promise<string> {
  const res = await call("/api/v1/auth/mfa/setup", { headers: bearer(session) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { secret_base32: string }).secret_base32;
}

function verify(session: Session, json: Record<string, unknown>) {
  return call("/api/v1/auth/mfa/verify", { method: "POST", headers: bearer(session), json });
}

async function mfaEnabled(session: Session): Promise<boolean> {
  const me = (await (await call("/api/v1/users/me", { headers: bearer(session) })).json()) as { mfa_enabled: boolean };
  return me.mfa_enabled;
}

describe("low: enrolling MFA (native) needs the password again", () => {
  it("without the password → 400 validation_error, nothing enrolled", async () => {
    const u = await userWithRole("operator");
    const secret = await setupSecret(u.session);
    const res = await verify(u.session, { secret_base32: secret, code: currentTotp(secret, Date.now()) });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).code).toBe("validation_error");
    expect(await mfaEnabled(u.session)).toBe(false);
  });

  it("with a wrong password → 400 invalid_password, nothing enrolled, a failure in the audit log", async () => {
    const u = await userWithRole("operator");
    const secret = await setupSecret(u.session);
    const res = await verify(u.session, {
      secret_base32: secret,
      code: currentTotp(secret, Date.now()),
      password: "Wrong-Pass-123!",
    });
    expect(res.status).toBe(400);
    expect(await nativeError(res)).toEqual({ code: "invalid_password", message: "Current password is incorrect" });
    expect(await mfaEnabled(u.session)).toBe(false);
    const admin = await adminLogin();
    const audit = (await (
      await call(`/api/v1/audit?action=mfa.enable&target=${u.id}`, { headers: bearer(admin) })
    ).json()) as { entries: { outcome: string }[] };
    expect(audit.entries.map((e) => e.outcome)).toEqual(["failure"]);
  });

  it("a wrong password is checked before the code: the code is not spent and a retry with the password works", async () => {
    const u = await userWithRole("operator");
    const secret = await setupSecret(u.session);
    const code = currentTotp(secret, Date.now());
    expect((await verify(u.session, { secret_base32: secret, code, password: "nope" })).status).toBe(400);
    const ok = await verify(u.session, { secret_base32: secret, code, password: u.password });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { recovery_codes: string[] }).recovery_codes).toHaveLength(10);
    expect(await mfaEnabled(u.session)).toBe(true);
  });
});
