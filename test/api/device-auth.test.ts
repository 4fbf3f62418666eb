import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/** Device authorization for `fleetgate login --sso`: code → approval by a signed-in user → one poll gets the session. */
interface Started {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}
let ip = 0;
const start = async () => {
  const res = await call("/api/v1/auth/device/code", {
    method: "POST",
    json: { client_name: "test CLI" },
    headers: { "cf-connecting-ip": `198.51.100.${++ip}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Started;
};
const poll = (device_code: string) =>
  call("/api/v1/auth/device/token", {
    method: "POST",
    json: { device_code },
    headers: { "cf-connecting-ip": "192.0.2.200" },
  });
const decide = (token: string, user_code: string, approve = true) =>
  call("/api/v1/auth/device/approve", { method: "POST", headers: bearer(token), json: { user_code, approve } });

describe("device authorization", () => {
  it("start → pending → approved by a signed-in user → exactly one of concurrent polls gets the session", async () => {
    const s = await start();
    expect(s.user_code).toMatch(/^[B-Z]{4}-[B-Z]{4}$/);
    expect(s.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.verification_uri).toMatch(/\/app\/device$/);
    expect(s.verification_uri_complete).toContain(encodeURIComponent(s.user_code));
    expect(s).toMatchObject({ expires_in: 600, interval: 5 });
    const pending = await poll(s.device_code);
    expect(pending.status).toBe(400);
    expect((await nativeError(pending)).code).toBe("authorization_pending");
    // Polling again at once: slow down.
    expect((await nativeError(await poll(s.device_code))).code).toBe("slow_down");

    const user = await userWithRole("reporter");
    const approve = await decide(user.session.access, s.user_code.toLowerCase().replace("-", " "));
    expect(approve.status).toBe(200);
    expect(await approve.json()).toEqual({ status: "approved" });

    const results = await Promise.all([poll(s.device_code), poll(s.device_code), poll(s.device_code)]);
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const body = (await ok[0]?.json()) as { access_token: string; user: { id: string } };
    expect(body.user.id).toBe(user.id);
    const me = await call("/api/v1/users/me", { headers: bearer(body.access_token) });
    expect(me.status).toBe(200);
    // Consumed: later polls are expired_token.
    expect((await nativeError(await poll(s.device_code))).code).toBe("expired_token");

    const audit = await env.DB.prepare(
      "SELECT action, outcome FROM audit_log WHERE action IN ('auth.device_approve', 'auth.device_login') AND (actor_id = ?1 OR target_id = ?1)",
    )
      .bind(user.id)
      .all();
    expect(audit.results.map((r) => r.action)).toEqual(
      expect.arrayContaining(["auth.device_approve", "auth.device_login"]),
    );
  });

  it("lookup shows who asked (client, address, times) without consuming the code; a decided code is gone", async () => {
    const s = await start();
    const u = await userWithRole("reporter");
    const lookup = (user_code: string, token = u.session.access) =>
      call("/api/v1/auth/device/lookup", {
        method: "POST",
        headers: token ? bearer(token) : {},
        json: { user_code },
      });
    const typed = s.user_code.toLowerCase().replace("-", " ");
    for (const code of [s.user_code, typed]) {
      const res = await lookup(code);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, string>;
      expect(body).toEqual({
        client_name: "test CLI",
        ip_address: `198.51.100.${ip}`,
        requested_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(Date.parse(body.expires_at ?? "") - Date.parse(body.requested_at ?? "")).toBe(s.expires_in * 1000);
    }
    expect((await lookup(s.user_code, "")).status).toBe(401);
    const unknown = await lookup("BCDF-GHJK");
    expect(unknown.status).toBe(400);
    expect(await nativeError(unknown)).toEqual({
      code: "invalid_user_code",
      message: "The code is invalid, expired or already used",
    });
    expect((await lookup("x".repeat(33))).status).toBe(400);
    expect((await decide(u.session.access, s.user_code)).status).toBe(200);
    expect((await lookup(s.user_code)).status).toBe(400);
  });

  it("a user code works once; a denied code answers access_denied", async () => {
    const s = await start();
    const user = await userWithRole("operator");
    expect((await decide(user.session.access, s.user_code, false)).status).toBe(200);
    const again = await decide(user.session.access, s.user_code, true);
    expect(again.status).toBe(400);
    expect((await nativeError(again)).code).toBe("invalid_user_code");
    expect((await nativeError(await poll(s.device_code))).code).toBe("access_denied");
    expect((await nativeError(await poll(s.device_code))).code).toBe("expired_token");
  });

  it("refusals: approval needs a signed-in user; unknown codes; malformed device codes; expiry", async () => {
    const s = await start();
    const anon = await call("/api/v1/auth/device/approve", {
      method: "POST",
      json: { user_code: s.user_code, approve: true },
    });
    expect(anon.status).toBe(401);
    const user = await userWithRole("reporter");
    expect((await decide(user.session.access, "BBBB-BBBB")).status).toBe(400);
    expect((await nativeError(await poll("not-a-code"))).code).toBe("expired_token");
    // Expire both rows: approval and polling refuse.
    await env.DB.prepare("UPDATE nonces SET expires_at = 1 WHERE key LIKE 'device%'").run();
    expect((await decide(user.session.access, s.user_code)).status).toBe(400);
    expect((await nativeError(await poll(s.device_code))).code).toBe("expired_token");
  });
});
