import { env } from "cloudflare:workers";
import { createDomainContext, sweepSecurityRows } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { userWithRole } from "../auth-helpers";

// Issue 11 (low): enrollment requests, rate-limit counters, refresh tokens and
// approved bundles were never swept. The cron sweep removes what has expired
// and wipes expired bundles at once.

const DAY = 86_400_000;
const uid = () => crypto.randomUUID();

async function enrollmentRequest(status: string, expiresAt: number, bundle?: { enc: string; expiresAt: number }) {
  const id = uid();
  await env.DB.prepare(
    `INSERT INTO enrollment_requests (id, machine_id, fqdn, ip_address, os_details, polling_token_hash, status,
       bundle_enc, bundle_expires_at, expires_at, created_at, updated_at)
     VALUES (?, ?, 'sweep.example.test', '192.0.2.1', '{}', ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      uid(),
      uid(),
      status,
      bundle?.enc ?? null,
      bundle?.expiresAt ?? null,
      expiresAt,
      expiresAt - DAY,
      expiresAt - DAY,
    )
    .run();
  return id;
}

const exists = async (table: string, id: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE id = ?`).bind(id).first<{ n: number }>())?.n === 1;

describe("security retention sweep", () => {
  it("removes expired enrollment requests, refresh tokens and rate-limit windows; wipes expired bundles; keeps live rows", async () => {
    const now = Date.now();
    const oldPending = await enrollmentRequest("pending", now - 2 * DAY);
    const livePending = await enrollmentRequest("pending", now + DAY);
    const approvedExpired = await enrollmentRequest("approved", now + DAY, {
      enc: "secret-bundle",
      expiresAt: now - 60_000,
    });
    const approvedLive = await enrollmentRequest("approved", now + DAY, {
      enc: "secret-bundle",
      expiresAt: now + 60_000,
    });

    const u = await userWithRole("reporter");
    const oldToken = uid();
    const liveToken = uid();
    for (const [id, expiresAt] of [
      [oldToken, now - 2 * DAY],
      [liveToken, now + 3600_000],
    ] as const) {
      await env.DB.prepare(
        "INSERT INTO refresh_tokens (id, family_id, identity_id, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
        .bind(id, uid(), u.id, uid(), expiresAt, expiresAt - 3600_000)
        .run();
    }
    const oldKey = `sweep-test:${uid()}`;
    const liveKey = `sweep-test:${uid()}`;
    await env.DB.prepare("INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1), (?, ?, 1)")
      .bind(oldKey, now - 3 * DAY, liveKey, now - 60_000)
      .run();

    await sweepSecurityRows(await createDomainContext(env, { requestId: "sweep-test", issuer: "http://127.0.0.1" }));

    expect(await exists("enrollment_requests", oldPending)).toBe(false);
    expect(await exists("enrollment_requests", livePending)).toBe(true);
    const bundles = await env.DB.prepare("SELECT id, bundle_enc FROM enrollment_requests WHERE id IN (?, ?)")
      .bind(approvedExpired, approvedLive)
      .all<{ id: string; bundle_enc: string | null }>();
    const enc = new Map(bundles.results.map((r) => [r.id, r.bundle_enc]));
    expect(enc.get(approvedExpired)).toBeNull();
    expect(enc.get(approvedLive)).toBe("secret-bundle");
    expect(await exists("refresh_tokens", oldToken)).toBe(false);
    expect(await exists("refresh_tokens", liveToken)).toBe(true);
    const keys = await env.DB.prepare("SELECT key FROM rate_limits WHERE key IN (?, ?)").bind(oldKey, liveKey).all<{
      key: string;
    }>();
    expect(keys.results.map((r) => r.key)).toEqual([liveKey]);
  });
});
