import { env } from "cloudflare:workers";
import { createDomainContext, refresh } from "@fleetgate/domain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userWithRole } from "../auth-helpers";
import { call } from "../helpers";

// Issue 11 (low): refresh-token reuse detection must hold under concurrency (a
// revoked family stays revoked), and a family has an absolute lifetime.

const ctx = () =>
  createDomainContext(env, {
    requestId: `refresh-${crypto.randomUUID()}`,
    issuer: "http://127.0.0.1",
    sourceIp: `198.51.100.${Math.floor(Math.random() * 250) + 1}`,
  });
const httpRefresh = (token: string) => call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: token } });

afterEach(() => {
  vi.useRealTimers();
});

describe("refresh families", () => {
  it("concurrent reuse of one refresh token: the family ends, including the token the winner received", async () => {
    const u = await userWithRole("operator");
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, async () => refresh(await ctx(), u.session.refresh)),
    );
    // every token handed out by this family is dead afterwards
    for (const r of results) {
      if (r.status !== "fulfilled") continue;
      expect((await httpRefresh(r.value.refreshToken)).status).toBe(401);
    }
    const live = await env.DB.prepare(
      "SELECT count(*) AS n FROM refresh_tokens WHERE identity_id = ? AND revoked_at IS NULL AND rotated_at IS NULL",
    )
      .bind(u.session.userId)
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
  });

  it("a family ends 12 hours after its login, however often it is refreshed", async () => {
    const u = await userWithRole("operator");
    vi.useFakeTimers({ toFake: ["Date"] });
    let token = u.session.refresh;
    // 13 × 55 min = 11 h 55 min: every refresh within the sliding hour and the 12 hours
    for (let i = 0; i < 13; i++) {
      vi.setSystemTime(Date.now() + 55 * 60_000);
      const res = await httpRefresh(token);
      expect(res.status).toBe(200);
      token = ((await res.json()) as { refresh_token: string }).refresh_token;
    }
    // 10 minutes later the token itself is fresh, but the family is 12 h 5 min old
    vi.setSystemTime(Date.now() + 10 * 60_000);
    expect((await httpRefresh(token)).status).toBe(401);
  });
});
