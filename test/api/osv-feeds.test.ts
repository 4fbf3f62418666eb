import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { serviceAccountToken, tokenAuth } from "./task-helpers";

interface FeedStatus {
  feed: string;
  configured: boolean;
  last_attempt_at: string | null;
  last_attempt_status: string | null;
  last_attempt_source: string | null;
  last_attempt_finished_at: string | null;
  last_error: string | null;
  last_success_at: string | null;
  imported_at: string | null;
  records: number | null;
  ranges: number | null;
}

const T0 = Date.UTC(2026, 10, 1, 6, 0, 0);

/** Import attempts of a run-unique feed name, as the importer writes them (not a configured feed: no setting changes). */
async function seedImports(feed: string): Promise<void> {
  const ins = (id: string, status: string, at: number, records: number, error: string | null) =>
    env.DB.prepare(
      `INSERT INTO osv_imports (id, feed, source, status, started_at, finished_at, records, ranges, error)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
    ).bind(id, feed, `r2://osv/${feed}/all.zip`, status, at, at + 60_000, records, records * 2, error);
  const ok1 = crypto.randomUUID();
  const ok2 = crypto.randomUUID();
  await env.DB.batch([
    ins(ok1, "succeeded", T0, 10, null),
    ins(ok2, "succeeded", T0 + 86_400_000, 12, null),
    ins(crypto.randomUUID(), "failed", T0 + 2 * 86_400_000, 0, "all.zip: entry DSA-1.json: not an OSV record"),
    env.DB.prepare("INSERT INTO osv_feeds (feed, import_id, imported_at) VALUES (?1, ?2, ?3)").bind(
      feed,
      ok2,
      T0 + 86_400_000 + 60_000,
    ),
  ]);
}

describe("GET /api/v1/vulnerabilities/feeds", () => {
  it("per feed: the latest attempt and its error, the latest success, the import in force", async () => {
    const feed = `Test-${crypto.randomUUID().slice(0, 8)}`;
    const never = `Test-${crypto.randomUUID().slice(0, 8)}`;
    await seedImports(feed);
    await env.DB.prepare(
      `INSERT INTO osv_imports (id, feed, source, status, started_at, records, ranges) VALUES (?1, ?2, 'https://osv.example/x/all.zip', 'running', ?3, 0, 0)`,
    )
      .bind(crypto.randomUUID(), never, T0)
      .run();
    const admin = await adminLogin();
    const res = await call("/api/v1/vulnerabilities/feeds", { headers: bearer(admin) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { enabled: boolean; refresh_hours: number; feeds: FeedStatus[] };
    expect(typeof body.enabled).toBe("boolean");
    expect(body.refresh_hours).toBeGreaterThanOrEqual(1);
    expect(body.feeds.find((f) => f.feed === feed)).toEqual({
      feed,
      configured: false,
      last_attempt_at: new Date(T0 + 2 * 86_400_000).toISOString(),
      last_attempt_status: "failed",
      last_attempt_source: `r2://osv/${feed}/all.zip`,
      last_attempt_finished_at: new Date(T0 + 2 * 86_400_000 + 60_000).toISOString(),
      last_error: "all.zip: entry DSA-1.json: not an OSV record",
      last_success_at: new Date(T0 + 86_400_000 + 60_000).toISOString(),
      imported_at: new Date(T0 + 86_400_000 + 60_000).toISOString(),
      records: 12,
      ranges: 24,
    });
    // Still running, never succeeded: nothing in force, no error.
    expect(body.feeds.find((f) => f.feed === never)).toMatchObject({
      last_attempt_status: "running",
      last_attempt_finished_at: null,
      last_error: null,
      last_success_at: null,
      imported_at: null,
      records: null,
    });
    // The configured feeds are listed (first, in the setting's order) even before any import.
    const configured = body.feeds.filter((f) => f.configured);
    expect(configured.length).toBeGreaterThan(0);
    expect(body.feeds.slice(0, configured.length).every((f) => f.configured)).toBe(true);
  });

  it("is for admins: operators and reporters get 403, no credentials 401", async () => {
    for (const role of ["operator", "reporter"] as const) {
      const { secret } = await serviceAccountToken(role);
      const res = await call("/api/v1/vulnerabilities/feeds", { headers: tokenAuth(secret) });
      expect(res.status).toBe(403);
    }
    expect((await call("/api/v1/vulnerabilities/feeds")).status).toBe(401);
  });
});
