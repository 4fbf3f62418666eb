import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

/**
 * `GET /users` with more people than D1 binds parameters in one statement (100): the list and
 * its MFA flags come from joins, never from a bound list of every user's id (it answered 500).
 */
describe("GET /users with many users", () => {
  it("lists 120 more people, with their MFA flags, in one answer", async () => {
    // Signed in first: the bootstrap admin is created while the deployment has no identities.
    const admin = bearer(await adminLogin());
    const run = crypto.randomUUID().slice(0, 8);
    const now = Date.now();
    const ids = Array.from({ length: 120 }, () => crypto.randomUUID());
    await env.DB.batch(
      ids.map((id, i) =>
        env.DB.prepare(
          "INSERT INTO identities (id, kind, name, role, created_at, updated_at) VALUES (?, 'user', ?, 'reporter', ?, ?)",
        ).bind(id, `many-${run}-${String(i).padStart(3, "0")}`, now, now),
      ),
    );
    const withMfa = ids[7] ?? "";
    await env.DB.prepare(
      "INSERT INTO mfa (identity_id, id, secret_enc, verified, created_at, updated_at) VALUES (?, ?, 'x', 1, ?, ?)",
    )
      .bind(withMfa, crypto.randomUUID(), now, now)
      .run();

    const res = await call("/api/v1/users", { headers: admin });
    expect(res.status).toBe(200);
    const users = (await res.json()) as { id: string; mfa_enabled: boolean }[];
    const mine = users.filter((u) => ids.includes(u.id));
    expect(mine).toHaveLength(120);
    expect(mine.filter((u) => u.mfa_enabled).map((u) => u.id)).toEqual([withMfa]);
  });
});
