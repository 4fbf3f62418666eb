import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminAccess } from "./admin-login";
import { decodedParts, type SmtpCapture, startSmtpCapture } from "./smtp-capture";

/**
 * POST /api/v1/settings/smtp/test against real SMTP servers (smtp-server from
 * npm) on loopback: the Worker speaks SMTP over a Workers TCP socket, in
 * clear, with STARTTLS and with implicit TLS. TLS verification stays on: the
 * servers present a certificate from the test CA that the dev server trusts
 * (NODE_EXTRA_CA_CERTS, test-tls.ts); a server with an untrusted certificate
 * is refused.
 */
const base = () => inject("baseUrl");
const tag = Math.random().toString(36).slice(2, 8);
const PASSWORD = `smtp-pw-${tag}-Secret`;
let admin: Record<string, string> = {};
const servers: SmtpCapture[] = [];

async function api(path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  return fetch(`${base()}${path}`, {
    method: init.method ?? "GET",
    headers: { ...admin, ...init.headers, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}

async function configure(smtp: Record<string, unknown>) {
  const res = await api("/api/v1/settings", {
    method: "PUT",
    json: { smtp: { enabled: true, host: "localhost", from: `fleet-${tag}@example.test`, ...smtp } },
  });
  expect(res.status).toBe(200);
}

async function smtpTest(to: string) {
  const res = await api("/api/v1/settings/smtp/test", { method: "POST", json: { to } });
  const text = await res.text();
  expect(text).not.toContain(PASSWORD);
  return { status: res.status, body: JSON.parse(text) as { success: boolean; message: string } };
}

beforeAll(async () => {
  admin = { authorization: `Bearer ${await adminAccess(base())}` };
});

afterAll(async () => {
  await api("/api/v1/settings", { method: "PUT", json: { smtp: { enabled: false, password: "", username: "" } } });
  for (const s of servers) await s.close();
});

describe("SMTP test email", () => {
  it("plain SMTP (no credentials): the message arrives as multipart/alternative", async () => {
    const srv = await startSmtpCapture({ mode: "plain" });
    servers.push(srv);
    await configure({ port: srv.port, tls_mode: "none", username: "", password: "" });
    const to = `plain-${tag}@example.test`;
    const { status, body } = await smtpTest(to);
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true });
    const mail = srv.mails.find((m) => m.to.includes(to));
    expect(mail?.from).toBe(`fleet-${tag}@example.test`);
    expect(mail?.secure).toBe(false);
    expect(mail?.raw).toContain("Content-Type: multipart/alternative");
    expect(mail?.raw).toContain("Subject: Fleetgate SMTP test");
    const parts = decodedParts(mail?.raw ?? "");
    expect(parts.some((p) => p.includes("the SMTP settings work"))).toBe(true);
    expect(parts.some((p) => p.startsWith("<p>"))).toBe(true);
  });

  it("STARTTLS with AUTH: TLS verified against the test CA, credentials accepted, password never echoed", async () => {
    const srv = await startSmtpCapture({
      mode: "starttls",
      tls: inject("testTls"),
      auth: { user: "fg", pass: PASSWORD },
    });
    servers.push(srv);
    await configure({ port: srv.port, tls_mode: "starttls", username: "fg", password: PASSWORD });
    const to = `tls-${tag}@example.test`;
    const { body } = await smtpTest(to);
    expect(body).toMatchObject({ success: true });
    const mail = srv.mails.find((m) => m.to.includes(to));
    expect(mail).toMatchObject({ secure: true, user: "fg" });
  });

  it("implicit TLS (secureTransport on)", async () => {
    const srv = await startSmtpCapture({
      mode: "implicit",
      tls: inject("testTls"),
      auth: { user: "fg", pass: PASSWORD },
    });
    servers.push(srv);
    await configure({ port: srv.port, tls_mode: "implicit", username: "fg", password: "********" });
    const to = `implicit-${tag}@example.test`;
    const { body } = await smtpTest(to);
    expect(body).toMatchObject({ success: true });
    expect(srv.mails.find((m) => m.to.includes(to))?.secure).toBe(true);
  });

  it("wrong password: success false with the server's reply, nothing delivered", async () => {
    const srv = await startSmtpCapture({
      mode: "starttls",
      tls: inject("testTls"),
      auth: { user: "fg", pass: "other" },
    });
    servers.push(srv);
    await configure({ port: srv.port, tls_mode: "starttls", username: "fg", password: PASSWORD });
    const { status, body } = await smtpTest(`denied-${tag}@example.test`);
    expect(status).toBe(200);
    expect(body.success).toBe(false);
    expect(body.message).toMatch(/AUTH/);
    expect(srv.mails).toHaveLength(0);
  });

  it("an untrusted certificate is refused (verification is never switched off)", async () => {
    // No key/cert given: smtp-server offers STARTTLS with its built-in self-signed certificate.
    const srv = await startSmtpCapture({ mode: "starttls", auth: { user: "fg", pass: PASSWORD } });
    servers.push(srv);
    await configure({ port: srv.port, tls_mode: "starttls", username: "fg", password: PASSWORD });
    const { body } = await smtpTest(`untrusted-${tag}@example.test`);
    expect(body.success).toBe(false);
    expect(body.message).toMatch(/TLS|certificate|closed/i);
    expect(srv.mails).toHaveLength(0);
  });

  it("nothing listening: success false, a connect error", async () => {
    const srv = await startSmtpCapture({ mode: "plain" });
    const port = srv.port;
    await srv.close();
    await configure({ port, tls_mode: "none", username: "", password: "" });
    const { body } = await smtpTest(`nobody-${tag}@example.test`);
    expect(body.success).toBe(false);
  });

  it("bad input is a 400: no recipient anywhere, a malformed address", async () => {
    const res = await api("/api/v1/settings/smtp/test", { method: "POST", json: { to: "not-an-address" } });
    expect(res.status).toBe(400);
  });
});
