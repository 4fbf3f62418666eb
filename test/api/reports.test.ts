import { env } from "cloudflare:workers";
import { PDFDocument } from "@pdfme/pdf-lib";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { parseCsv } from "./csv-parse";
import { call, nativeError } from "./helpers";
import { seedInventoryStatements } from "./report-helpers";
import { addToGroup, createGroup, download, pollTask, seedHosts } from "./task-helpers";

const NOW = Date.now();

const DAY = 86_400_000;

/**
 * Five hosts in a fresh group, one per signal:
 * a: online, nothing pending, reboot required → healthy, compliant
 * b: online, 3 pending: a security update first seen 8 days ago (2 CVEs), one first seen
 *    yesterday (in the grace period), one not security → healthy, non-compliant
 * c: never connected, no inventory → pending, unknown
 * d: seen, offline, nothing pending → unreachable, compliant
 * e: online, latest health-check result failed, one update of unknown security → degraded, compliant
 */
async function seedFleet(tag: string) {
  const group = await createGroup(`reports-${tag}`);
  const [a, b, c, d, e] = await seedHosts(
    ["a", "b", "c", "d", "e"].map((x) => ({
      name: `${tag}-${x}`,
      displayName: x === "b" ? "=cmd|' /C calc'!A0" : `host ${x}`,
      patchesMissing: x === "b" ? 3 : 0,
      groupIds: [group],
    })),
  );
  const at = (id: string | undefined, online: boolean) =>
    env.DB.prepare("UPDATE hosts SET online = ?, last_seen_at = ? WHERE id = ?").bind(
      online ? 1 : 0,
      NOW - 60_000,
      id ?? "",
    );
  const check = crypto.randomUUID();
  await env.DB.batch([
    ...seedInventoryStatements(a ?? "", { reboot: true }),
    ...seedInventoryStatements(b ?? "", {
      updates: [
        { name: "openssl", security: "true", cveIds: ["CVE-2026-0002", "CVE-2026-0001"], firstSeenAt: NOW - 8 * DAY },
        { name: "curl", security: "true", firstSeenAt: NOW - DAY },
        { name: "vim", security: "false", firstSeenAt: NOW - 30 * DAY },
      ],
    }),
    ...seedInventoryStatements(d ?? "", {}),
    ...seedInventoryStatements(e ?? "", {
      updates: [{ name: "thirdparty", security: "unknown", firstSeenAt: NOW - 60 * DAY }],
    }),
    at(a, true),
    at(b, true),
    at(d, false),
    at(e, true),
    env.DB.prepare(
      "INSERT INTO health_checks (id, host_id, name, check_type, service_name, created_at, updated_at) VALUES (?, ?, 'nginx', 'service', 'nginx', ?, ?)",
    ).bind(check, e ?? "", NOW, NOW),
    env.DB.prepare(
      "INSERT INTO health_check_results (id, check_id, host_id, healthy, checked_at) VALUES (?, ?, ?, 1, ?), (?, ?, ?, 0, ?)",
    ).bind(crypto.randomUUID(), check, e ?? "", NOW - 5000, crypto.randomUUID(), check, e ?? "", NOW - 1000),
  ]);
  return { group, ids: { a, b, c, d, e } };
}

const getJson = async <T>(path: string, headers: Record<string, string>) => {
  const res = await call(path, { headers });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

describe("GET /status/fleet", () => {
  it("counts health, compliance, pending and failing checks from real signals", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { group } = await seedFleet(tag);
    const admin = await adminLogin();
    const s = await getJson<Record<string, number>>(`/api/v1/status/fleet?group_id=${group}`, bearer(admin));
    expect(s).toEqual({
      total_hosts: 5,
      healthy: 2,
      degraded: 1,
      unreachable: 1,
      pending: 1,
      total_pending_patches: 3,
      hosts_requiring_reboot: 1,
      compliance_pct: 75,
      crl_valid: 0,
      crl_expired: 0,
      crl_missing: 0,
      crl_invalid: 0,
      crl_not_reporting: 5,
      failed_health_checks: 1,
      compliant: 3,
      non_compliant: 1,
      compliance_unknown: 1,
      compliance_grace_period_days: 7,
    });
  });

  it("an empty scope is 100.0 % compliant; an unknown group is 404; a bad id is 400", async () => {
    const admin = await adminLogin();
    const empty = await createGroup();
    const s = await getJson<Record<string, number>>(`/api/v1/status/fleet?group_id=${empty}`, bearer(admin));
    expect(s.total_hosts).toBe(0);
    expect(s.compliance_pct).toBe(100);
    const missing = await call(`/api/v1/status/fleet?group_id=${crypto.randomUUID()}`, { headers: bearer(admin) });
    expect(missing.status).toBe(404);
    const bad = await call("/api/v1/status/fleet?group_id=nope", { headers: bearer(admin) });
    expect(bad.status).toBe(400);
    expect((await call("/api/v1/status/fleet")).status).toBe(401);
  });

  it("an operator counts only the hosts of their groups (and ungrouped ones)", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const mine = await createGroup();
    const other = await createGroup();
    await seedHosts([
      { name: `${tag}-mine`, groupIds: [mine], patchesMissing: 1 },
      { name: `${tag}-other`, groupIds: [other], patchesMissing: 1 },
    ]);
    const op = await userWithRole("operator");
    await addToGroup(mine, op.id);
    const h = bearer(op.session);
    expect((await getJson<{ total_hosts: number }>(`/api/v1/status/fleet?group_id=${mine}`, h)).total_hosts).toBe(1);
    expect((await getJson<{ total_hosts: number }>(`/api/v1/status/fleet?group_id=${other}`, h)).total_hosts).toBe(0);
  });
});

describe("GET /ca/health", () => {
  it("reports the served CRL and the public host name", async () => {
    const admin = await adminLogin();
    const body = await getJson<{
      overall: string;
      web_tls: { cn: string; sans: string[]; expiry: null; days_until_expiry: null; is_fqdn: boolean; error: null };
      crl: { status: string; revoked_count: number; next_update: string; error: null };
    }>("/api/v1/ca/health", bearer(admin));
    expect(body.crl.status).toBe("valid");
    expect(body.crl.error).toBeNull();
    expect(Date.parse(body.crl.next_update)).toBeGreaterThan(Date.now());
    expect(body.crl.revoked_count).toBeGreaterThanOrEqual(0);
    // The tests call http://127.0.0.1: an IP literal is not an FQDN → warning.
    expect(body.web_tls).toEqual({
      cn: "127.0.0.1",
      sans: ["127.0.0.1"],
      expiry: null,
      days_until_expiry: null,
      is_fqdn: false,
      error: null,
    });
    expect(body.overall).toBe("warning");
  });
});

describe("GET /reports/{type}", () => {
  it("compliance CSV: the reference headers, one formula-safe row per host equal to the data", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { group, ids } = await seedFleet(tag);
    const admin = await adminLogin();
    const res = await call(`/api/v1/reports/compliance?format=csv&group_id=${group}`, { headers: bearer(admin) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="compliance-report.csv"');
    const rows = parseCsv(await res.text());
    const header = rows[0] ?? [];
    const col = (r: string[], name: string) => r[header.indexOf(name)];
    expect(rows.length).toBe(6);
    const byName = Object.fromEntries(rows.slice(1).map((r) => [col(r, "name"), r]));
    const expected: Record<string, [string, string, string]> = {
      a: ["healthy", "0", "compliant"],
      b: ["healthy", "3", "non_compliant"],
      c: ["pending", "0", "unknown"],
      d: ["unreachable", "0", "compliant"],
      e: ["degraded", "0", "compliant"],
    };
    for (const [x, [health, pending, compliance]] of Object.entries(expected)) {
      const r = byName[`${tag}-${x}`] ?? [];
      expect([col(r, "health_status"), col(r, "pending_updates"), col(r, "compliance")]).toEqual([
        health,
        pending,
        compliance,
      ]);
      expect(col(r, "host_id")).toBe(ids[x as keyof typeof ids]);
      expect(col(r, "groups")).toBe(`reports-${tag}`);
    }
    expect(col(byName[`${tag}-b`] ?? [], "display_name")).toBe("'=cmd|' /C calc'!A0");
  });

  it("compliance PDF: application/pdf, the reference file name, a title page and table pages", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { group } = await seedFleet(tag);
    const admin = await adminLogin();
    const res = await call(`/api/v1/reports/compliance?format=pdf&group_id=${group}`, { headers: bearer(admin) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="compliance-report.pdf"');
    const pdf = await PDFDocument.load(new Uint8Array(await res.arrayBuffer()));
    expect(pdf.getTitle()).toBe("Compliance report");
    expect(pdf.getPageCount()).toBe(3);
  });

  it("patch history: patch jobs of the period on the scope's hosts, not script jobs", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { group, ids } = await seedFleet(tag);
    const job = (kind: string, createdAt: number) => {
      const id = crypto.randomUUID();
      return [
        env.DB.prepare(
          "INSERT INTO jobs (id, reqid, kind, status, created_by, created_at) VALUES (?, ?, ?, 'succeeded', 'admin', ?)",
        ).bind(id, `${id}-r`, kind, createdAt),
        env.DB.prepare(
          "INSERT INTO job_hosts (id, job_id, host_id, host_name, status, exit_code, completed_at) VALUES (?, ?, ?, ?, 'succeeded', 0, ?)",
        ).bind(crypto.randomUUID(), id, ids.a ?? "", `${tag}-a`, createdAt + 1000),
      ];
    };
    const jan = Date.UTC(2026, 0, 15);
    await env.DB.batch([...job("patch_apply", jan), ...job("script", jan), ...job("rollback", Date.UTC(2025, 5, 1))]);
    const admin = await adminLogin();
    const res = await call(`/api/v1/reports/patch-history?format=csv&group_id=${group}&from=2026-01-01&to=2026-01-31`, {
      headers: bearer(admin),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="patch-history-report.csv"');
    const rows = parseCsv(await res.text());
    expect(rows.length).toBe(2);
    const header = rows[0] ?? [];
    expect(rows[1]?.[header.indexOf("kind")]).toBe("patch_apply");
    expect(rows[1]?.[header.indexOf("host_id")]).toBe(ids.a);
    // The host's last patch shows in the compliance report.
    const comp = parseCsv(
      await (await call(`/api/v1/reports/compliance?group_id=${group}`, { headers: bearer(admin) })).text(),
    );
    const ch = comp[0] ?? [];
    const rowA = comp.find((r) => r[ch.indexOf("host_id")] === ids.a) ?? [];
    expect(rowA[ch.indexOf("last_patch_at")]).toBe(new Date(jan + 1000).toISOString());
  });

  it("vulnerability: CVEs per host and package from the agents' data; unknown where nothing is known", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { group, ids } = await seedFleet(tag);
    const admin = await adminLogin();
    const res = await call(`/api/v1/reports/vulnerability?group_id=${group}`, { headers: bearer(admin) });
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="vulnerability-report.csv"');
    const rows = parseCsv(await res.text());
    const header = rows[0] ?? [];
    const pick = (r: string[]) =>
      ["name", "package", "installed_version", "fixed_version", "cve_id", "status"].map((c) => r[header.indexOf(c)]);
    const body = rows.slice(1).map(pick);
    expect(body).toEqual(
      expect.arrayContaining([
        [`${tag}-a`, "", "", "", "", "none_known"],
        [`${tag}-b`, "curl", "1.0-1", "1.0-2", "", "security_update"],
        [`${tag}-b`, "openssl", "1.0-1", "1.0-2", "CVE-2026-0001", "affected"],
        [`${tag}-b`, "openssl", "1.0-1", "1.0-2", "CVE-2026-0002", "affected"],
        [`${tag}-c`, "", "", "", "", "unknown"],
        [`${tag}-d`, "", "", "", "", "none_known"],
        [`${tag}-e`, "thirdparty", "1.0-1", "1.0-2", "", "unknown"],
      ]),
    );
    expect(body.length).toBe(7);
    // A non-security update (vim) is no vulnerability row.
    expect(body.some((r) => r[1] === "vim")).toBe(false);
    const b = rows.find((r) => r[header.indexOf("cve_id")] === "CVE-2026-0001") ?? [];
    expect(b[header.indexOf("host_id")]).toBe(ids.b);
    expect(b[header.indexOf("first_seen_at")]).toBe(new Date(NOW - 8 * DAY).toISOString());
  });

  it("audit: admins only; the period's entries", async () => {
    const op = await userWithRole("operator");
    const denied = await call("/api/v1/reports/audit?format=csv", { headers: bearer(op.session) });
    expect(denied.status).toBe(403);
    const admin = await adminLogin();
    const from = new Date(Date.now() - 3600_000).toISOString();
    const res = await call(`/api/v1/reports/audit?format=csv&from=${encodeURIComponent(from)}`, {
      headers: bearer(admin),
    });
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text());
    const header = rows[0] ?? [];
    expect(header.slice(0, 3)).toEqual(["seq", "id", "at"]);
    expect(rows.slice(1).some((r) => r[header.indexOf("action")] === "user.create")).toBe(true);
    expect(rows.slice(1).every((r) => Date.parse(r[2] ?? "") >= Date.parse(from))).toBe(true);
  });

  it("an operator's report holds only their hosts", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const mine = await createGroup();
    const other = await createGroup();
    const [mineId, otherId] = await seedHosts([
      { name: `${tag}-mine`, groupIds: [mine] },
      { name: `${tag}-other`, groupIds: [other] },
    ]);
    const stmts = [mineId, otherId].flatMap((hostId, i) => {
      const job = crypto.randomUUID();
      return [
        env.DB.prepare(
          "INSERT INTO jobs (id, reqid, kind, status, created_at) VALUES (?, ?, 'patch_apply', 'succeeded', ?)",
        ).bind(job, job, NOW),
        env.DB.prepare(
          "INSERT INTO job_hosts (id, job_id, host_id, host_name, status) VALUES (?, ?, ?, ?, 'succeeded')",
        ).bind(crypto.randomUUID(), job, hostId ?? "", `${tag}-${i === 0 ? "mine" : "other"}`),
      ];
    });
    await env.DB.batch(stmts);
    const op = await userWithRole("operator");
    await addToGroup(mine, op.id);
    for (const type of ["compliance", "vulnerability", "patch-history"]) {
      const text = await (await call(`/api/v1/reports/${type}?format=csv`, { headers: bearer(op.session) })).text();
      expect(text).toContain(`${tag}-mine`);
      expect(text).not.toContain(`${tag}-other`);
    }
  });

  it("bad input → 400 (format, type, period, group id); unknown group → 404; anonymous → 401", async () => {
    const admin = await adminLogin();
    const h = { headers: bearer(admin) };
    expect((await call("/api/v1/reports/compliance?format=xlsx", h)).status).toBe(400);
    expect((await call("/api/v1/reports/inventory?format=csv", h)).status).toBe(400);
    expect((await call("/api/v1/reports/compliance?from=yesterday", h)).status).toBe(400);
    const inverted = await call("/api/v1/reports/compliance?from=2026-02-01&to=2026-01-01", h);
    expect(inverted.status).toBe(400);
    expect((await nativeError(inverted)).message).toBe("from must not be after to");
    expect((await call("/api/v1/reports/compliance?group_id=1", h)).status).toBe(400);
    expect((await call(`/api/v1/reports/compliance?group_id=${crypto.randomUUID()}`, h)).status).toBe(404);
    expect((await call("/api/v1/reports/compliance")).status).toBe(401);
  });
});

describe("reports as exports (task queue)", () => {
  it("report:compliance CSV → task → signed download equal to the synchronous file", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const { group } = await seedFleet(tag);
    const admin = await adminLogin();
    const res = await call("/api/v1/exports", {
      method: "POST",
      headers: bearer(admin),
      json: { kind: "report:compliance", format: "csv", filters: { group_id: group } },
    });
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const done = await pollTask(task_id, bearer(admin));
    expect(done.status).toBe("SUCCESS");
    expect(done.name).toBe("fleetgate.reports.compliance");
    const file = await download(done.download_url ?? "", bearer(admin));
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("content-disposition")).toBe('attachment; filename="compliance-report.csv"');
    const sync = await call(`/api/v1/reports/compliance?format=csv&group_id=${group}`, { headers: bearer(admin) });
    expect(await file.text()).toBe(await sync.text());
  });

  it("refuses what the synchronous report refuses, before anything is queued", async () => {
    const op = await userWithRole("operator");
    const post = (json: unknown) => call("/api/v1/exports", { method: "POST", headers: bearer(op.session), json });
    expect((await post({ kind: "report:audit", format: "pdf" })).status).toBe(403);
    expect((await post({ kind: "report:compliance", format: "xlsx" })).status).toBe(400);
    expect((await post({ kind: "report:compliance", filters: { colour: "blue" } })).status).toBe(400);
    expect((await post({ kind: "report:compliance", filters: { from: "2026-02-01", to: "2026-01-01" } })).status).toBe(
      400,
    );
  });
});
