import { env } from "cloudflare:workers";
import { setSmtpConnectorForTests } from "@fleetgate/domain";
import { afterEach, describe, expect, it } from "vitest";
import { fakeSmtp } from "../../packages/domain/src/notify/smtp-fake";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/**
 * POST /api/v1/settings/smtp/test at the API level (RBAC, validation, the
 * answer's shape, audit) with a scripted SMTP server behind the socket
 * connector; the real servers (smtp-server, STARTTLS, implicit TLS) are in
 * test/e2e/smtp.test.ts.
 */
const ADMIN_IP = "203.0.113.5";
const asAdmin = async () => ({ ...bearer(await adminLogin()), "cf-connecting-ip": ADMIN_IP });
const PASSWORD = "smtp-Secret-pw-42";

async function configure(smtp: Record<string, unknown>, recipients: string[] = []) {
  const res = await call("/api/v1/settings", {
    method: "PUT",
    headers: await asAdmin(),
    json: { smtp: { enabled: true, from: "fleet@example.com", ...smtp }, notification: { recipients } },
  });
  expect(res.status).toBe(200);
}

afterEach(() => setSmtpConnectorForTests(undefined));

describe("POST /api/v1/settings/smtp/test", () => {
  it("operators and reporters get 403 forbidden_role", async () => {
    for (const role of ["operator", "reporter"] as const) {
      const u = await userWithRole(role);
      const res = await call("/api/v1/settings/smtp/test", {
        method: "POST",
        headers: bearer(u.session),
        json: { to: "x@example.com" },
      });
      expect(res.status).toBe(403);
    }
  });

  it("400 when SMTP is not configured, when there is no recipient, for a malformed address", async () => {
    await configure({ enabled: false, host: "" });
    let res = await call("/api/v1/settings/smtp/test", {
      method: "POST",
      headers: await asAdmin(),
      json: { to: "a@example.com" },
    });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/smtp\.host/);
    await configure({ host: "mail.example.com" });
    res = await call("/api/v1/settings/smtp/test", { method: "POST", headers: await asAdmin(), json: {} });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/recipient/);
    res = await call("/api/v1/settings/smtp/test", {
      method: "POST",
      headers: await asAdmin(),
      json: { to: "a\r\nb" },
    });
    expect(res.status).toBe(400);
  });

  it("private and loopback SMTP hosts are refused outside local development", async () => {
    await configure({ host: "10.1.2.3" });
    const res = await call("/api/v1/settings/smtp/test", {
      method: "POST",
      headers: await asAdmin(),
      json: { to: "a@example.com" },
    });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/private/);
  });

  it("sends to the first notification recipient; the answer and the audit entry carry no password", async () => {
    const srv = fakeSmtp({ user: "fg", pass: PASSWORD });
    setSmtpConnectorForTests(srv.connector);
    await configure({ host: "mail.example.com", port: 587, tls_mode: "starttls", username: "fg", password: PASSWORD }, [
      "ops@example.com",
    ]);
    const res = await call("/api/v1/settings/smtp/test", { method: "POST", headers: await asAdmin(), json: {} });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { success: boolean; message: string };
    expect(body.success).toBe(true);
    expect(body.message).toContain("ops@example.com");
    expect(srv.commands).toContain("RCPT TO:<ops@example.com>");
    expect(srv.data[0]).toContain("Subject: Fleetgate SMTP test");
    const rows = await env.DB.prepare(
      "SELECT outcome, detail FROM audit_log WHERE action = 'settings.smtp_test'",
    ).all();
    expect(rows.results.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows.results)).not.toContain(PASSWORD);
  });

  it("a failed conversation is 200 success:false with the server's reply, never the password", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "not-this", override: { AUTH: `535 5.7.8 rejected ${PASSWORD}` } });
    setSmtpConnectorForTests(srv.connector);
    await configure({ host: "mail.example.com", tls_mode: "starttls", username: "fg", password: PASSWORD });
    const res = await call("/api/v1/settings/smtp/test", {
      method: "POST",
      headers: await asAdmin(),
      json: { to: "ops@example.com" },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(PASSWORD);
    expect(JSON.parse(text)).toMatchObject({ success: false });
    expect(JSON.parse(text).message).toContain("535");
  });
});
