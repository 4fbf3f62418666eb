import { env } from "cloudflare:workers";
import {
  CHANGE_DEBOUNCE_MS,
  createDb,
  createDomainContext,
  type DomainContext,
  ingestInventory,
  recordComplianceHistory,
  snapshotFigures,
  snapshotScope,
} from "@fleetgate/domain";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { seedInventoryStatements } from "./report-helpers";
import { addToGroup, createGroup, seedHosts } from "./task-helpers";

const DAY = 86_400_000;
let ctx: DomainContext;
beforeAll(async () => {
  ctx = await createDomainContext(env, { requestId: "compliance-history-test" });
});
const at = (t: number): DomainContext => ({ ...ctx, now: () => t });

const os = {
  id: "debian",
  id_like: [],
  family: "debian" as const,
  version_id: "12",
  codename: "bookworm",
  pretty_name: "Debian GNU/Linux 12",
  kernel: "6.1.0",
  arch: "amd64",
};
const pkg = (name: string) => ({
  name,
  arch: "amd64",
  version: "1.0-1",
  source: name,
  source_version: "1.0-1",
  status: "ii",
});
const update = (name: string, security: boolean | "unknown", cve_ids: string[] = []) => ({
  name,
  arch: "amd64",
  current_version: "1.0-1",
  candidate_version: "1.0-2",
  origins: ["Debian-Security:12/bookworm-security"],
  security,
  cve_ids,
});
const inventory = (updates: ReturnType<typeof update>[], reboot = false) => ({
  kind: "full" as const,
  inventory: {
    os,
    packages: [pkg("openssl"), pkg("vim")],
    updates,
    removals: [],
    reboot_required: reboot,
    reboot_reasons: reboot ? ["libc6"] : [],
    lists_age_secs: 60,
    collected_at: Date.now(),
  },
});

async function fleet(group: string) {
  const admin = await adminLogin();
  const res = await call(`/api/v1/status/fleet?group_id=${group}`, { headers: bearer(admin) });
  return (await res.json()) as Record<string, number>;
}

describe("compliance: pending security updates older than the grace period", () => {
  it("first seen is kept across reports; the 7-day grace counts from it; a fixed update resets it", async () => {
    const group = await createGroup();
    const [host] = await seedHosts([{ name: `fs-${crypto.randomUUID().slice(0, 8)}`, groupIds: [group] }]);
    const hostId = host ?? "";
    const db = createDb(env.DB);
    const now = Date.now();
    // Never reported: unknown.
    expect(await fleet(group)).toMatchObject({ compliant: 0, non_compliant: 0, compliance_unknown: 1 });
    // First reported 6 days ago: within the grace period.
    await ingestInventory(
      { db, logLevel: "warn" },
      hostId,
      inventory([update("openssl", true, ["CVE-2026-1111"])]),
      now - 6 * DAY,
    );
    expect(await fleet(group)).toMatchObject({ compliant: 1, non_compliant: 0, hosts_requiring_reboot: 0 });
    // Reported again (a new candidate, reboot required): first seen stays 6 days ago.
    await ingestInventory(
      { db, logLevel: "warn" },
      hostId,
      inventory([update("openssl", true), update("vim", false)], true),
      now,
    );
    const first = await env.DB.prepare("SELECT name, first_seen_at FROM host_updates WHERE host_id = ? ORDER BY name")
      .bind(hostId)
      .all<{ name: string; first_seen_at: number }>();
    expect(first.results).toEqual([
      { name: "openssl", first_seen_at: now - 6 * DAY },
      { name: "vim", first_seen_at: now },
    ]);
    expect(await fleet(group)).toMatchObject({ compliant: 1, hosts_requiring_reboot: 1 });
    // Two days later the same update is past 7 days: non-compliant.
    const later = at(now + 2 * DAY);
    expect(await snapshotFiguresOf(later, group)).toMatchObject({ compliant: 0, nonCompliant: 1 });
    // Installed (no longer pending), then pending again: first seen restarts.
    await ingestInventory({ db, logLevel: "warn" }, hostId, inventory([]), now + DAY);
    await ingestInventory({ db, logLevel: "warn" }, hostId, inventory([update("openssl", true)]), now + 2 * DAY);
    expect(await snapshotFiguresOf(later, group)).toMatchObject({ compliant: 1, nonCompliant: 0 });
    // An update of unknown security never makes a host non-compliant.
    await ingestInventory({ db, logLevel: "warn" }, hostId, inventory([update("vim", "unknown")]), now - 30 * DAY);
    expect(await snapshotFiguresOf(later, group)).toMatchObject({
      compliant: 1,
      pendingBySeverity: { security: 0, other: 0, unknown: 1 },
    });
  });
});

const snapshotFiguresOf = (c: DomainContext, group: string) => snapshotFigures(c, group);

interface History {
  group_id: string | null;
  from: string;
  to: string;
  points: {
    taken_at: string;
    reason: string;
    total_hosts: number;
    compliant: number;
    non_compliant: number;
    unknown: number;
    compliance_pct: number;
    total_pending: number;
    pending_by_severity: Record<string, number>;
    patch_age: Record<string, number>;
    last_seen: Record<string, number>;
    cves_by_severity: Record<string, number> | null;
  }[];
}

describe("GET /status/history", () => {
  it("daily and debounced on-change snapshots of a group, as a series oldest first", async () => {
    const group = await createGroup();
    const tag = crypto.randomUUID().slice(0, 8);
    const [ok, bad, never] = await seedHosts([
      { name: `h-${tag}-ok`, groupIds: [group] },
      { name: `h-${tag}-bad`, groupIds: [group], patchesMissing: 2 },
      { name: `h-${tag}-never`, groupIds: [group] },
    ]);
    // A fixed UTC day 60 days ago, 01:00.
    const d0 = Date.now() - 60 * DAY - ((Date.now() - 60 * DAY) % DAY) + 3600_000;
    await env.DB.batch([
      ...seedInventoryStatements(ok ?? "", {}),
      ...seedInventoryStatements(bad ?? "", {
        updates: [
          { name: "openssl", security: "true", firstSeenAt: d0 - 30 * DAY },
          { name: "vim", security: "false", firstSeenAt: d0 - 30 * DAY },
        ],
      }),
      env.DB.prepare("UPDATE hosts SET last_seen_at = ? WHERE id IN (?, ?)").bind(d0 - 3600_000, ok ?? "", bad ?? ""),
    ]);
    expect(await snapshotScope(at(d0), group)).toBe("daily");
    expect(await snapshotScope(at(d0 + 60_000), group)).toBeNull(); // nothing changed
    // The bad host is patched: a change snapshot, but not within the debounce interval.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM host_updates WHERE host_id = ? AND name = 'openssl'").bind(bad ?? ""),
      env.DB.prepare("UPDATE hosts SET patches_missing = 1 WHERE id = ?").bind(bad ?? ""),
    ]);
    expect(await snapshotScope(at(d0 + CHANGE_DEBOUNCE_MS / 2), group)).toBeNull();
    expect(await snapshotScope(at(d0 + CHANGE_DEBOUNCE_MS), group)).toBe("change");
    expect(await snapshotScope(at(d0 + DAY), group)).toBe("daily");

    const admin = await adminLogin();
    // Default period: the last 90 days.
    const dflt = (await (
      await call(`/api/v1/status/history?group_id=${group}`, { headers: bearer(admin) })
    ).json()) as History;
    expect(Date.parse(dflt.to) - Date.parse(dflt.from)).toBe(90 * DAY);
    expect(dflt.points.slice(0, 3).map((p) => p.reason)).toEqual(["daily", "change", "daily"]);
    // Up to d0 + 1 day + 1 h (the cron of other test files may snapshot this group today too).
    const to = new Date(d0 + DAY + 3600_000).toISOString();
    const res = await call(`/api/v1/status/history?group_id=${group}&to=${encodeURIComponent(to)}`, {
      headers: bearer(admin),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as History;
    expect(body.group_id).toBe(group);
    expect(body.to).toBe(to);
    expect(body.points.map((p) => [p.reason, Date.parse(p.taken_at)])).toEqual([
      ["daily", d0],
      ["change", d0 + CHANGE_DEBOUNCE_MS],
      ["daily", d0 + DAY],
    ]);
    expect(body.points[0]).toEqual({
      taken_at: new Date(d0).toISOString(),
      reason: "daily",
      total_hosts: 3,
      compliant: 1,
      non_compliant: 1,
      unknown: 1,
      compliance_pct: 50,
      total_pending: 2,
      pending_by_severity: { security: 1, other: 1, unknown: 0 },
      patch_age: { "0-1d": 0, "1-7d": 0, "7-30d": 0, "30-90d": 0, ">90d": 0, never: 3 },
      last_seen: { "0-1d": 2, "1-7d": 0, "7-30d": 0, "30-90d": 0, ">90d": 0, never: 1 },
      cves_by_severity: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    });
    expect(body.points[1]).toMatchObject({ compliant: 2, non_compliant: 0, compliance_pct: 100 });
    // The period narrows the series (a date `to` includes its whole day).
    const day0 = new Date(d0).toISOString().slice(0, 10);
    const narrow = await call(`/api/v1/status/history?group_id=${group}&from=${day0}&to=${day0}`, {
      headers: bearer(admin),
    });
    expect(((await narrow.json()) as History).points.length).toBe(2);
    expect(never).toBeDefined();
  });

  it("visibility: fleet series for admins (others must name a group); a group's for its members; others 404; bad input 400", async () => {
    const group = await createGroup();
    const admin = await adminLogin();
    const fleetRes = await call("/api/v1/status/history", { headers: bearer(admin) });
    expect(fleetRes.status).toBe(200);
    expect(((await fleetRes.json()) as History).group_id).toBeNull();
    const op = await userWithRole("operator");
    const h = { headers: bearer(op.session) };
    const notMember = await call(`/api/v1/status/history?group_id=${group}`, h);
    expect(notMember.status).toBe(404);
    expect((await nativeError(notMember)).message).toBe("Group not found");
    expect((await call(`/api/v1/status/history?group_id=${crypto.randomUUID()}`, h)).status).toBe(404);
    const noGroup = await call("/api/v1/status/history", h);
    expect(noGroup.status).toBe(400);
    expect((await nativeError(noGroup)).message).toBe(
      "group_id is required: the fleet-wide history counts every host (admins only)",
    );
    await addToGroup(group, op.id);
    expect((await call(`/api/v1/status/history?group_id=${group}`, h)).status).toBe(200);
    const ah = { headers: bearer(admin) };
    expect((await call("/api/v1/status/history?group_id=nope", ah)).status).toBe(400);
    expect((await call("/api/v1/status/history?from=yesterday", ah)).status).toBe(400);
    const inverted = await call("/api/v1/status/history?from=2026-02-01&to=2026-01-01", ah);
    expect(inverted.status).toBe(400);
    expect((await nativeError(inverted)).message).toBe("from must not be after to");
    expect((await call("/api/v1/status/history")).status).toBe(401);
  });

  it("the cron sweep snapshots the fleet and every group, and prunes snapshots older than 400 days", async () => {
    const group = await createGroup();
    const old = crypto.randomUUID();
    const t = Date.now() - 401 * DAY;
    await env.DB.prepare(
      `INSERT INTO compliance_snapshots (id, scope, group_id, taken_at, reason, total_hosts, compliant, non_compliant, unknown,
         compliance_pct, total_pending, pending_by_severity, patch_age, last_seen, created_at)
       VALUES (?, ?, ?, ?, 'daily', 0, 0, 0, 0, 100, 0, '{}', '{}', '{}', ?)`,
    )
      .bind(old, group, group, t, t)
      .run();
    const out = await recordComplianceHistory(ctx);
    expect(out.pruned).toBeGreaterThanOrEqual(1);
    const rows = await env.DB.prepare("SELECT id, reason FROM compliance_snapshots WHERE scope = ?")
      .bind(group)
      .all<{ id: string; reason: string }>();
    expect(rows.results.map((r) => r.reason)).toEqual(["daily"]);
    expect(rows.results.some((r) => r.id === old)).toBe(false);
  });
});
