import { describe, expect, it } from "vitest";
import { buildMimeMessage, encodeHeaderText } from "./mime-message";
import { dotStuff, type SmtpConfig, SmtpError, sendSmtp } from "./smtp-client";
import { fakeSmtp } from "./smtp-fake";

const cfg = (over: Partial<SmtpConfig> = {}): SmtpConfig => ({
  host: "mail.example.com",
  port: 587,
  tlsMode: "starttls",
  username: "fg",
  password: "S3cret-pass!",
  ...over,
});
const env = { from: "fleet@example.com", to: ["ops@example.com"] };

async function refusal(p: Promise<unknown>): Promise<SmtpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmtpError);
  return err as SmtpError;
}

describe("SMTP client", () => {
  it("STARTTLS, then EHLO again, AUTH PLAIN, envelope and a dot-stuffed DATA", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "S3cret-pass!" });
    const res = await sendSmtp(cfg(), env, "Subject: x\r\n\r\n.leading dot\nline\n", { connector: srv.connector });
    expect(res.response).toContain("queued as FAKE1");
    expect(srv.connectedTo).toMatchObject({ hostname: "mail.example.com", port: 587, secureTransport: "starttls" });
    expect(srv.tls).toBe(true);
    const verbs = srv.commands.map((c) => c.split(" ")[0]);
    expect(verbs).toEqual(["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"]);
    expect(srv.commands).toContain("MAIL FROM:<fleet@example.com>");
    expect(srv.data[0]).toBe("Subject: x\r\n\r\n..leading dot\r\nline\r\n");
  });

  it("AUTH LOGIN when PLAIN is not offered", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "S3cret-pass!", extensions: ["STARTTLS", "AUTH LOGIN"] });
    await sendSmtp(cfg(), env, "x", { connector: srv.connector });
    expect(srv.commands).toContain("AUTH LOGIN");
  });

  it("implicit TLS connects with secureTransport on and never sends STARTTLS", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "S3cret-pass!" });
    await sendSmtp(cfg({ tlsMode: "implicit", port: 465 }), env, "x", { connector: srv.connector });
    expect(srv.connectedTo?.secureTransport).toBe("on");
    expect(srv.commands).not.toContain("STARTTLS");
  });

  it("refuses to go on in clear when the server does not offer STARTTLS (no downgrade)", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "S3cret-pass!", extensions: ["AUTH PLAIN"] });
    const err = await refusal(sendSmtp(cfg(), env, "x", { connector: srv.connector }));
    expect(err.kind).toBe("tls");
    expect(srv.commands.some((c) => c.startsWith("AUTH"))).toBe(false);
  });

  it("a TLS handshake failure is a tls error and nothing is sent after it", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "S3cret-pass!", tlsFails: true });
    const err = await refusal(sendSmtp(cfg(), env, "x", { connector: srv.connector }));
    expect(err.kind).toBe("tls");
    expect(srv.commands).toEqual(["EHLO fleetgate.invalid", "STARTTLS"]);
  });

  it("wrong credentials: an auth error that never contains the password", async () => {
    const srv = fakeSmtp({
      user: "fg",
      pass: "other",
      override: { AUTH: `535 5.7.8 bad credentials for ${btoa("\0fg\0S3cret-pass!")} S3cret-pass!` },
    });
    const err = await refusal(sendSmtp(cfg(), env, "x", { connector: srv.connector }));
    expect(err.kind).toBe("auth");
    expect(err.replyCode).toBe(535);
    expect(err.message).not.toContain("S3cret-pass!");
    expect(err.message).not.toContain(btoa("S3cret-pass!"));
  });

  it("never sends credentials without TLS", async () => {
    const srv = fakeSmtp();
    const err = await refusal(sendSmtp(cfg({ tlsMode: "none" }), env, "x", { connector: srv.connector }));
    expect(err.kind).toBe("auth");
    expect(srv.connectedTo).toBeUndefined();
  });

  it("plain SMTP without credentials works (tls_mode none, a relay on a private network)", async () => {
    const srv = fakeSmtp();
    await sendSmtp(cfg({ tlsMode: "none", username: "", password: "" }), env, "x", { connector: srv.connector });
    expect(srv.commands.some((c) => c.startsWith("AUTH") || c === "STARTTLS")).toBe(false);
    expect(srv.data).toHaveLength(1);
  });

  it("a rejected recipient is a rejected error with the server's code", async () => {
    const srv = fakeSmtp({ user: "fg", pass: "S3cret-pass!", override: { RCPT: "550 5.1.1 no such user" } });
    const err = await refusal(sendSmtp(cfg(), env, "x", { connector: srv.connector }));
    expect(err).toMatchObject({ kind: "rejected", replyCode: 550 });
    expect(err.message).toContain("no such user");
  });

  it("a silent server times out", async () => {
    const srv = fakeSmtp({ silent: true });
    const err = await refusal(sendSmtp(cfg(), env, "x", { connector: srv.connector, timeoutMs: 50 }));
    expect(err.kind).toBe("timeout");
  });

  it("addresses that could inject commands are refused before connecting", async () => {
    const srv = fakeSmtp();
    for (const bad of ["a@b.c>\r\nRCPT TO:<x@y.z", "a b@c.d", "nobody"]) {
      const err = await refusal(sendSmtp(cfg(), { from: "f@e.com", to: [bad] }, "x", { connector: srv.connector }));
      expect(err.kind).toBe("rejected");
    }
    expect(srv.connectedTo).toBeUndefined();
  });

  it("dot-stuffing and CRLF normalisation", () => {
    expect(dotStuff("a\n.b\r\n..c\n")).toBe("a\r\n..b\r\n...c\r\n.\r\n");
    expect(dotStuff(".")).toBe("..\r\n.\r\n");
  });
});

describe("MIME message", () => {
  it("multipart/alternative with base64 UTF-8 parts and an encoded subject", () => {
    const msg = buildMimeMessage(
      { from: "f@e.com", to: ["a@e.com", "b@e.com"], subject: "Job échoué ✗", text: "héllo", html: "<p>héllo</p>" },
      { now: Date.UTC(2026, 0, 2, 3, 4, 5), messageIdDomain: "fleet.example" },
    );
    const [head, ...rest] = msg.split("\r\n\r\n");
    expect(head).toContain("To: a@e.com, b@e.com");
    expect(head).toContain("Subject: =?UTF-8?B?");
    expect(head).toContain("Date: Fri, 02 Jan 2026 03:04:05 +0000");
    expect(head).toMatch(/Message-ID: <[0-9a-f-]+@fleet\.example>/);
    const boundary = /boundary="([^"]+)"/.exec(head ?? "")?.[1];
    expect(boundary).toBeTruthy();
    const body = rest.join("\r\n\r\n");
    expect(body).toContain(`--${boundary}\r\nContent-Type: text/plain; charset=UTF-8`);
    expect(body).toContain("Content-Type: text/html; charset=UTF-8");
    expect(body.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    expect(body).toContain(btoa(String.fromCharCode(...new TextEncoder().encode("héllo"))));
    for (const line of msg.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  });

  it("header injection is refused; ASCII subjects stay readable", () => {
    expect(encodeHeaderText("Job failed")).toBe("Job failed");
    expect(() =>
      buildMimeMessage(
        { from: "f@e.com", to: ["a@e.com"], subject: "x\r\nBcc: evil@e.com", text: "", html: "" },
        { now: 0, messageIdDomain: "e.com" },
      ),
    ).toThrow();
  });
});
