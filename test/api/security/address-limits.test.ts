import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers";

const login = (ip: string, username = `nobody-${crypto.randomUUID().slice(0, 8)}`) =>
  call("/api/v1/auth/login", {
    method: "POST",
    json: { username, password: "Wrong-Pass-1!" },
    headers: { "cf-connecting-ip": ip },
  });

const entriesNaming = async (username: string) =>
  (
    await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE detail LIKE ?")
      .bind(`%${username}%`)
      .first<{ n: number }>()
  )?.n;

describe("finding 8: address limits and the anonymous failure budget", () => {
  it("IPv6: every address of one /64 shares the per-address sign-in budget", async () => {
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:8`;
    // The budget is 30 per fixed minute: start well inside one, and spend 28 of it up front (as earlier
    // sign-ins from this /64 would have), so the test does not depend on how fast 30 sign-ins run.
    const minute = 60_000;
    if (Date.now() % minute > 45_000) await new Promise((r) => setTimeout(r, minute - (Date.now() % minute) + 50));
    await env.DB.prepare("INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 28)")
      .bind(`login:ip:${net}::/64`, Math.floor(Date.now() / minute) * minute)
      .run();
    expect((await login(`${net}::1`)).status).toBe(401);
    expect((await login(`${net}:ab:cd:ef:1`)).status).toBe(401);
    const next = await login(`${net}:ffff:ffff:ffff:fffe`);
    expect(next.status).toBe(429);
    // A different /64 is not affected.
    expect((await login(`2001:db8:ffff:${Math.floor(Math.random() * 0xffff).toString(16)}::1`)).status).toBe(401);
  }, 60_000);

  it("over the global budget, anonymous refusals are still refused but no longer written to the audit chain", async () => {
    const username = `budget-${crypto.randomUUID()}`;
    await env.DB.prepare(
      "INSERT INTO rate_limits (key, window_start, count) VALUES ('audit:anonymous-refusals', ?, 1000000) ON CONFLICT(key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count",
    )
      .bind(Math.floor(Date.now() / 60_000) * 60_000)
      .run();
    try {
      const res = await login(`192.0.2.${Math.floor(Math.random() * 250)}`, username);
      expect(res.status).toBe(401);
      expect(await entriesNaming(username)).toBe(0);
    } finally {
      await env.DB.prepare("DELETE FROM rate_limits WHERE key = 'audit:anonymous-refusals'").run();
    }
  });

  it("under the budget, an anonymous refusal is audited", async () => {
    const username = `budget-${crypto.randomUUID()}`;
    expect((await login(`192.0.2.${Math.floor(Math.random() * 250)}`, username)).status).toBe(401);
    expect(await entriesNaming(username)).toBe(1);
  });
});
