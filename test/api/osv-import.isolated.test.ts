import { env } from "cloudflare:workers";
import {
  createDomainContext,
  type DomainContext,
  importOsvArchive,
  refreshOsvData,
  refreshOsvFeed,
} from "@fleetgate/domain";
import { strToU8, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { parseCsv } from "./csv-parse";
import { call } from "./helpers";
import { seedInventoryStatements } from "./report-helpers";
import { createGroup, seedHosts } from "./task-helpers";

// Imports OSV feeds (deployment-wide: every vulnerability report matches against them): own workerd.
const ADMIN_IP = "203.0.113.5";
const asAdmin = async () => ({ ...bearer(await adminLogin()), "cf-connecting-ip": ADMIN_IP });

const osv = (
  id: string,
  ecosystem: string,
  name: string,
  events: Record<string, string>[],
  aliases: string[] = [],
) => ({
  id,
  modified: "2026-11-01T00:00:00Z",
  aliases,
  summary: `${name} issue`,
  affected: [{ package: { ecosystem, name }, ranges: [{ type: "ECOSYSTEM", events }] }],
});
const archive = (records: object[], extra: Record<string, Uint8Array> = {}) =>
  zipSync({
    ...Object.fromEntries(records.map((r) => [`${(r as { id: string }).id}.json`, strToU8(JSON.stringify(r))])),
    ...extra,
  });
const streamOf = (bytes: Uint8Array) => new Blob([bytes]).stream();

const DEBIAN_FEED = [
  osv("DSA-9001-1", "Debian:12", "openssl", [{ introduced: "0" }, { fixed: "3.0.11-1~deb12u2" }], ["CVE-2026-9001"]),
  osv("DEBIAN-CVE-2026-9002", "Debian:12", "curl", [{ introduced: "0" }], ["CVE-2026-9002"]),
  osv("DSA-9003-1", "Debian:12", "vim", [{ introduced: "0" }, { fixed: "8.0-1" }], ["CVE-2026-9003"]),
  osv("DSA-9004-1", "Debian:11", "openssl", [{ introduced: "0" }, { fixed: "9.9-1" }], ["CVE-2026-9004"]),
  // The agent already reports this CVE for openssl's pending update: one row, origin agent.
  osv("DSA-9005-1", "Debian:12", "openssl", [{ introduced: "0" }, { fixed: "3.0.11-1~deb12u2" }], ["CVE-2026-9005"]),
];

let ctx: DomainContext;
let group: string;
let debianHost: string;
let rockyHost: string;
const tag = crypto.randomUUID().slice(0, 8);

beforeAll(async () => {
  ctx = await createDomainContext(env, { requestId: "osv-import-test" });
  group = await createGroup();
  [debianHost = "", rockyHost = ""] = await seedHosts([
    { name: `${tag}-deb`, groupIds: [group] },
    { name: `${tag}-rocky`, groupIds: [group], osFamily: "rhel" },
  ]);
  const pkg = (host: string, name: string, version: string, source: string, sourceVersion: string) =>
    env.DB.prepare(
      "INSERT INTO host_packages (host_id, name, arch, version, source, source_version, status) VALUES (?, ?, 'amd64', ?, ?, ?, 'ii')",
    ).bind(host, name, version, source, sourceVersion);
  await env.DB.batch([
    ...seedInventoryStatements(debianHost, {
      updates: [{ name: "openssl", security: "true", cveIds: ["CVE-2026-9005"], firstSeenAt: Date.now() }],
    }),
    pkg(debianHost, "openssl", "3.0.9-1", "openssl", "3.0.9-1"),
    // A binary of the openssl source package (binNMU: its own version, the source's version matters).
    pkg(debianHost, "libssl3", "3.0.9-1+b1", "openssl", "3.0.9-1"),
    pkg(debianHost, "curl", "7.88.1-10", "curl", "7.88.1-10"),
    pkg(debianHost, "vim", "9.0.1378-2", "vim", "9.0.1378-2"),
    env.DB.prepare(
      `INSERT INTO host_patch_state (host_id, inventory_hash, os, collected_at, reported_at) VALUES (?, ?, ?, ?, ?)`,
    ).bind(
      rockyHost,
      "0".repeat(64),
      JSON.stringify({
        id: "rocky",
        id_like: ["rhel"],
        family: "rhel",
        version_id: "9.3",
        codename: "",
        pretty_name: "Rocky Linux 9.3",
        kernel: "5.14",
        arch: "x86_64",
      }),
      Date.now(),
      Date.now(),
    ),
    pkg(rockyHost, "openssl-libs", "1:3.0.7-24.el9", "openssl", "1:3.0.7-24.el9"),
    pkg(rockyHost, "bash", "5.1.8-6.el9", "bash", "5.1.8-6.el9"),
  ]);
});

async function vulnerabilityRows(): Promise<string[][]> {
  const res = await call(`/api/v1/reports/vulnerability?format=csv&group_id=${group}`, { headers: await asAdmin() });
  expect(res.status).toBe(200);
  const rows = parseCsv(await res.text());
  const header = rows[0] ?? [];
  const cols = ["name", "package", "installed_version", "fixed_version", "cve_id", "status", "source"];
  return rows
    .slice(1)
    .map((r) => cols.map((c) => r[header.indexOf(c)] ?? ""))
    .sort((a, b) => a.join().localeCompare(b.join()));
}

const stagedRows = async (importId: string) =>
  (
    await env.DB.prepare(
      "SELECT (SELECT count(*) FROM osv_ranges WHERE import_id = ?1) + (SELECT count(*) FROM osv_vulns WHERE import_id = ?1) AS n",
    )
      .bind(importId)
      .first<{ n: number }>()
  )?.n;

describe("OSV import and matching", () => {
  it("before any import the report says none_known / agent data only", async () => {
    const rows = await vulnerabilityRows();
    expect(rows).toEqual([
      [`${tag}-deb`, "openssl", "1.0-1", "1.0-2", "CVE-2026-9005", "affected", "agent"],
      [`${tag}-rocky`, "", "", "", "", "none_known", ""],
    ]);
  });

  it("a Debian feed: matched by source package and dpkg order; unfixed records have no fixed version; audited", async () => {
    const result = await importOsvArchive(ctx, "Debian", "test://debian", streamOf(archive(DEBIAN_FEED)));
    expect(result).toMatchObject({ status: "succeeded", records: 5, ranges: 5 });
    const rows = await vulnerabilityRows();
    expect(rows).toEqual([
      [`${tag}-deb`, "curl", "7.88.1-10", "", "CVE-2026-9002", "affected", "osv:DEBIAN-CVE-2026-9002"],
      [`${tag}-deb`, "libssl3", "3.0.9-1+b1", "3.0.11-1~deb12u2", "CVE-2026-9001", "affected", "osv:DSA-9001-1"],
      [`${tag}-deb`, "libssl3", "3.0.9-1+b1", "3.0.11-1~deb12u2", "CVE-2026-9005", "affected", "osv:DSA-9005-1"],
      [`${tag}-deb`, "openssl", "1.0-1", "1.0-2", "CVE-2026-9005", "affected", "agent"],
      [`${tag}-deb`, "openssl", "3.0.9-1", "3.0.11-1~deb12u2", "CVE-2026-9001", "affected", "osv:DSA-9001-1"],
      [`${tag}-rocky`, "", "", "", "", "none_known", ""],
    ]);
    const audit = await env.DB.prepare(
      "SELECT target_id, detail FROM audit_log WHERE action = 'osv.import' ORDER BY at DESC LIMIT 1",
    ).first<{ target_id: string; detail: string }>();
    expect(audit?.target_id).toBe("Debian");
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ import_id: result.importId, records: 5, ranges: 5 });
  });

  it("hostile feeds fail with a clear error, keep the previous import in force and leave no staged rows", async () => {
    const before = await vulnerabilityRows();
    const inForce = await env.DB.prepare("SELECT import_id FROM osv_feeds WHERE feed = 'Debian'").first<{
      import_id: string;
    }>();
    const bad: [string, Uint8Array, RegExp][] = [
      ["bad JSON", archive(DEBIAN_FEED, { "ZZ-1.json": strToU8("{ not json") }), /ZZ-1\.json: not valid UTF-8 JSON/],
      [
        "huge record",
        archive(DEBIAN_FEED, {
          "ZZ-2.json": strToU8(JSON.stringify({ ...DEBIAN_FEED[0], details: "x".repeat(1_100_000) })),
        }),
        /ZZ-2\.json: record larger than 1048576 bytes/,
      ],
      ["not OSV", archive(DEBIAN_FEED, { "ZZ-3.json": strToU8('{"id":"ZZ-3"}') }), /ZZ-3\.json: not an OSV record/],
      ["not a zip", strToU8("<html>maintenance</html>"), /not a ZIP archive/],
      ["truncated", archive(DEBIAN_FEED).slice(0, 700), /truncated archive|corrupt archive/],
    ];
    for (const [what, bytes, message] of bad) {
      const r = await importOsvArchive(ctx, "Debian", `test://${what}`, streamOf(bytes));
      expect(r.status, what).toBe("failed");
      expect(r.error, what).toMatch(message);
      expect(await stagedRows(r.importId), what).toBe(0);
      const row = await env.DB.prepare("SELECT status, error FROM osv_imports WHERE id = ?")
        .bind(r.importId)
        .first<{ status: string; error: string }>();
      expect(row?.status).toBe("failed");
      expect(row?.error).toMatch(message);
    }
    expect(
      await env.DB.prepare("SELECT import_id FROM osv_feeds WHERE feed = 'Debian'").first<{ import_id: string }>(),
    ).toEqual(inForce);
    expect(await vulnerabilityRows()).toEqual(before);
  });

  it("a new import replaces the previous one whole (its rows are deleted)", async () => {
    const old = await env.DB.prepare("SELECT import_id FROM osv_feeds WHERE feed = 'Debian'").first<{
      import_id: string;
    }>();
    const fixedCurl = osv("DEBIAN-CVE-2026-9002", "Debian:12", "curl", [{ introduced: "0" }, { fixed: "7.88.1-10" }]);
    const r = await importOsvArchive(ctx, "Debian", "test://debian-2", streamOf(archive([fixedCurl])));
    expect(r).toMatchObject({ status: "succeeded", records: 1 });
    expect(await stagedRows(old?.import_id ?? "")).toBe(0);
    expect((await vulnerabilityRows()).filter((row) => row[6]?.startsWith("osv:"))).toEqual([]);
  });
});

describe("OSV refresh (cron sweep reports.osv_refresh) and its setting", () => {
  const put = async (json: unknown) => call("/api/v1/settings", { method: "PUT", headers: await asAdmin(), json });

  it("validates the osv setting", async () => {
    for (const bad of [
      { osv: { base_url: "http://osv.example.test" } },
      { osv: { base_url: "https://10.1.2.3/osv" } },
      { osv: { base_url: "r2://../secrets" } },
      { osv: { base_url: "r2://" } },
      { osv: { feeds: ["Gentoo"] } },
      { osv: { refresh_hours: 0 } },
      { osv: { enabled: "yes" } },
    ]) {
      expect((await put(bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it("imports the due feed from R2 (rpm order for Rocky), then waits refresh_hours; a missing object is a failed attempt", async () => {
    const rocky = osv(
      "RLSA-2026:9100",
      "Rocky Linux:9",
      "openssl-libs",
      [{ introduced: "0" }, { fixed: "1:3.0.7-25.el9_3" }],
      ["CVE-2026-9100"],
    );
    const bashOk = osv("RLSA-2026:9101", "Rocky Linux:9", "bash", [{ introduced: "0" }, { fixed: "5.1.8-6.el9" }]);
    await env.EXPORTS.put(`osv-${tag}/Rocky Linux/all.zip`, archive([rocky, bashOk]));
    const res = await put({
      osv: { enabled: true, base_url: `r2://osv-${tag}`, feeds: ["Rocky Linux"], refresh_hours: 24 },
    });
    expect(res.status).toBe(200);
    const first = await refreshOsvData(ctx);
    expect(first).toMatchObject({ status: "succeeded", records: 2 });
    const rows = (await vulnerabilityRows()).filter((r) => r[0] === `${tag}-rocky`);
    expect(rows).toEqual([
      [
        `${tag}-rocky`,
        "openssl-libs",
        "1:3.0.7-24.el9",
        "1:3.0.7-25.el9_3",
        "CVE-2026-9100",
        "affected",
        "osv:RLSA-2026:9100",
      ],
    ]);
    // Not due again for 24 h.
    expect(await refreshOsvData(ctx)).toBeNull();
    const later: DomainContext = { ...ctx, now: () => Date.now() + 25 * 3600_000 };
    await env.EXPORTS.delete(`osv-${tag}/Rocky Linux/all.zip`);
    const missing = await refreshOsvData(later);
    expect(missing).toMatchObject({ status: "failed" });
    expect(missing?.error).toContain("no such object");
    // The failed attempt kept the import in force.
    expect((await vulnerabilityRows()).filter((r) => r[0] === `${tag}-rocky`)).toEqual(rows);
    expect((await put({ osv: { enabled: false } })).status).toBe(200);
    expect(await refreshOsvData({ ...ctx, now: () => Date.now() + 60 * 86_400_000 })).toBeNull();
  });

  it("over https: <base>/<feed>/all.zip, no redirects followed, a non-200 answer is a failed attempt", async () => {
    const seen: { url: string; redirect: string | undefined }[] = [];
    const answer = (status: number, body: BodyInit | null = null) =>
      (async (input: RequestInfo | URL, init?: RequestInit) => {
        seen.push({ url: String(input), redirect: init?.redirect });
        return new Response(body, { status, headers: status === 302 ? { location: "https://elsewhere.test/" } : {} });
      }) as typeof fetch;
    const moved = await refreshOsvFeed(ctx, "https://osv.example.test/base/", "AlmaLinux", answer(302));
    expect(moved).toMatchObject({
      status: "failed",
      error: "GET https://osv.example.test/base/AlmaLinux/all.zip answered 302",
    });
    expect(seen[0]).toEqual({ url: "https://osv.example.test/base/AlmaLinux/all.zip", redirect: "manual" });
    const gone = await refreshOsvFeed(ctx, "https://osv.example.test", "Red Hat", answer(404));
    expect(gone.error).toBe("GET https://osv.example.test/Red%20Hat/all.zip answered 404");
    const alma = osv("ALSA-2026:1", "AlmaLinux:9", "bash", [{ introduced: "0" }, { fixed: "5.2-1.el9" }]);
    const ok = await refreshOsvFeed(ctx, "https://osv.example.test", "AlmaLinux", answer(200, archive([alma])));
    expect(ok).toMatchObject({ status: "succeeded", records: 1, ranges: 1 });
    const refused = await refreshOsvFeed(ctx, "https://192.168.1.10", "Ubuntu", answer(200));
    expect(refused.error).toContain("private");
  });
});
