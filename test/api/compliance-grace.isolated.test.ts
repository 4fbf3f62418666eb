import { env } from "cloudflare:workers";
import { createDb, createDomainContext, ingestInventory, snapshotFigures } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { createGroup, seedHosts } from "./task-helpers";

// Changes the deployment-wide compliance setting: its own workerd (*.isolated).
const DAY = 86_400_000;
const ADMIN_IP = "203.0.113.5";
const asAdmin = async () => ({ ...bearer(await adminLogin()), "cf-connecting-ip": ADMIN_IP });
const put = async (json: unknown) => call("/api/v1/settings", { method: "PUT", headers: await asAdmin(), json });

const inventory = (firstSeenDaysAgo: number) => ({
  kind: "full" as const,
  inventory: {
    os: {
      id: "debian",
      id_like: [],
      family: "debian" as const,
      version_id: "12",
      codename: "bookworm",
      pretty_name: "Debian GNU/Linux 12",
      kernel: "6.1.0",
      arch: "amd64",
    },
    packages: [
      { name: "openssl", arch: "amd64", version: "1.0-1", source: "openssl", source_version: "1.0-1", status: "ii" },
    ],
    updates: [
      {
        name: "openssl",
        arch: "amd64",
        current_version: "1.0-1",
        candidate_version: "1.0-2",
        origins: ["Debian-Security:12/bookworm-security"],
        security: true,
        cve_ids: [],
      },
    ],
    removals: [],
    reboot_required: false,
    reboot_reasons: [],
    lists_age_secs: 60,
    collected_at: Date.now() - firstSeenDaysAgo * DAY,
  },
});

/** A group with one host whose security update was first seen `days` ago. */
async function hostWithUpdateSeen(days: number): Promise<string> {
  const group = await createGroup();
  const [host] = await seedHosts([{ name: `grace-${crypto.randomUUID().slice(0, 8)}`, groupIds: [group] }]);
  await ingestInventory(
    { db: createDb(env.DB), logLevel: "warn" },
    host ?? "",
    inventory(days),
    Date.now() - days * DAY,
  );
  return group;
}

async function fleet(group: string) {
  const res = await call(`/api/v1/status/fleet?group_id=${group}`, { headers: await asAdmin() });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

async function complianceCsv(group: string): Promise<string> {
  const res = await call(`/api/v1/reports/compliance?format=csv&group_id=${group}`, { headers: await asAdmin() });
  expect(res.status).toBe(200);
  return res.text();
}

describe("setting compliance.grace_period_days", () => {
  it("rejects values outside 0..365, non-integers and unknown fields with 400, changing nothing", async () => {
    for (const bad of [
      { compliance: { grace_period_days: -1 } },
      { compliance: { grace_period_days: 366 } },
      { compliance: { grace_period_days: 2.5 } },
      { compliance: { grace_period_days: "3" } },
      { compliance: { grace_period_days: null } },
      { compliance: { grace: 3 } },
      { compliance: [] },
    ]) {
      const res = await put(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await nativeError(res)).code).toBeTruthy();
    }
    const res = await call("/api/v1/settings", { headers: await asAdmin() });
    expect(((await res.json()) as { compliance: unknown }).compliance).toEqual({ grace_period_days: 7 });
  });

  it("only admins may change it", async () => {
    const op = await userWithRole("operator");
    const res = await call("/api/v1/settings", {
      method: "PUT",
      headers: { ...bearer(op.session), "cf-connecting-ip": ADMIN_IP },
      json: { compliance: { grace_period_days: 1 } },
    });
    expect(res.status).toBe(403);
  });

  it("judges /status/fleet, the compliance report and history snapshots; the change is audited", async () => {
    const group = await hostWithUpdateSeen(3);
    // Default 7 days: an update first seen 3 days ago is within the grace period.
    expect(await fleet(group)).toMatchObject({ compliant: 1, non_compliant: 0, compliance_grace_period_days: 7 });
    expect(await complianceCsv(group)).toMatch(/,0,[^,\n]*,false,compliant,/);

    const res = await put({ compliance: { grace_period_days: 2 } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { compliance: unknown }).compliance).toEqual({ grace_period_days: 2 });
    const audit = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'settings.update' AND target_id = 'compliance'",
    ).all<{ detail: string }>();
    expect(audit.results.map((r) => JSON.parse(r.detail))).toContainEqual({
      changed: { compliance: ["grace_period_days"] },
    });

    expect(await fleet(group)).toMatchObject({ compliant: 0, non_compliant: 1, compliance_grace_period_days: 2 });
    const csv = await complianceCsv(group);
    expect(csv).toMatch(/,1,[^,\n]*,false,non_compliant,/);
    const ctx = await createDomainContext(env, { requestId: "grace-test" });
    expect(await snapshotFigures(ctx, group)).toMatchObject({ compliant: 0, nonCompliant: 1 });

    // 0 days: any pending security update counts at once; 30: the host is compliant again.
    expect((await put({ compliance: { grace_period_days: 30 } })).status).toBe(200);
    expect(await fleet(group)).toMatchObject({ compliant: 1, non_compliant: 0 });
    expect((await put({ compliance: { grace_period_days: 0 } })).status).toBe(200);
    const fresh = await hostWithUpdateSeen(0);
    expect(await fleet(fresh)).toMatchObject({ non_compliant: 1 });
    expect((await put({ compliance: { grace_period_days: 7 } })).status).toBe(200);
  });
});
