import { env } from "cloudflare:workers";
import {
  decodeRemoveArgs,
  type Inventory,
  PATCH_REMOVE_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type ServerMessage,
} from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { parseCsv } from "./csv-parse";
import { call, nativeError } from "./helpers";
import { createGroup, seedHosts } from "./task-helpers";

/**
 * A dnf/rpm host (simulated agent): its updateinfo CVEs land in host_updates and the
 * vulnerability report as the Debian changelog CVEs do; kind `patch_remove` fixes each host's
 * removal (name, arch, installed version) when created, sends it as the built-in remove command,
 * and its rollback job restores the removed versions.
 */
type Run = Extract<ServerMessage, { type: "run" }>;

const rpm = (name: string, version: string, source = name) => ({
  name,
  version,
  arch: "x86_64",
  source,
  source_version: version,
  status: "ii",
});

const rhelInventory = (): Inventory => ({
  os: {
    id: "rocky",
    id_like: ["rhel", "centos", "fedora"],
    family: "rhel",
    version_id: "9.4",
    codename: "",
    pretty_name: "Rocky Linux 9.4 (Blue Onyx)",
    kernel: "5.14.0-427.13.1.el9_4.x86_64",
    arch: "x86_64",
  },
  packages: [
    rpm("openssl-libs", "1:3.0.7-27.el9", "openssl"),
    rpm("httpd", "2.4.57-8.el9"),
    rpm("httpd-tools", "2.4.57-8.el9", "httpd"),
    rpm("thirdparty-agent", "1.0-1"),
  ],
  updates: [
    {
      name: "openssl-libs",
      arch: "x86_64",
      current_version: "1:3.0.7-27.el9",
      candidate_version: "1:3.0.7-28.el9_4",
      origins: ["baseos"],
      security: true,
      cve_ids: ["CVE-2024-0727", "CVE-2024-2511"],
    },
    {
      name: "thirdparty-agent",
      arch: "x86_64",
      current_version: "1.0-1",
      candidate_version: "1.1-1",
      origins: ["vendor"],
      security: "unknown",
      cve_ids: [],
    },
  ],
  removals: [],
  reboot_required: false,
  reboot_reasons: [],
  lists_age_secs: 5,
  collected_at: Date.now(),
});

async function rhelHost(): Promise<{ id: string; agent: SimAgent }> {
  const host = await enrollHost();
  const answer = () => ({ exit_code: 0, stdout: "{}", stderr: "" });
  const agent = await connectAgent(host, {
    scripts: { [PATCH_REMOVE_COMMAND]: answer, [PATCH_ROLLBACK_COMMAND]: answer } as never,
  });
  agent.send({ type: "inventory", inventory: rhelInventory() });
  await agent.waitFor((f) => f.type === "inventory_ack");
  return { id: host.id, agent };
}

async function post(path: string, json?: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), ...(json === undefined ? {} : { json }) });
}
async function getJob(id: string) {
  const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) });
  return (await res.json()) as { job: Record<string, unknown>; hosts: { status: string; plan: unknown }[] };
}
const waitStatus = (id: string, status: string) =>
  eventually(async () => ((await getJob(id)).job.status === status ? true : undefined));

describe("dnf hosts and patch_remove jobs", () => {
  it("updateinfo CVE ids reach the host's updates and the vulnerability report; no advisory stays unknown", async () => {
    const { id: hostId, agent } = await rhelHost();
    const admin = await adminLogin();
    const updates = await call(`/api/v1/hosts/${hostId}/updates`, { headers: bearer(admin) });
    expect(updates.status).toBe(200);
    const body = JSON.stringify(await updates.json());
    expect(body).toContain("CVE-2024-0727");
    expect(body).toContain("1:3.0.7-28.el9_4");
    const group = await createGroup();
    await env.DB.prepare("INSERT INTO host_groups (host_id, group_id) VALUES (?, ?)").bind(hostId, group).run();
    const res = await call(`/api/v1/reports/vulnerability?group_id=${group}`, { headers: bearer(admin) });
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text());
    const header = rows[0] ?? [];
    const pick = (r: string[]) =>
      ["package", "installed_version", "fixed_version", "cve_id", "status", "source"].map((c) => r[header.indexOf(c)]);
    expect(rows.slice(1).map(pick)).toEqual([
      ["openssl-libs", "1:3.0.7-27.el9", "1:3.0.7-28.el9_4", "CVE-2024-0727", "affected", "agent"],
      ["openssl-libs", "1:3.0.7-27.el9", "1:3.0.7-28.el9_4", "CVE-2024-2511", "affected", "agent"],
      ["thirdparty-agent", "1.0-1", "1.1-1", "", "unknown", "agent"],
    ]);
    agent.close();
  });

  it("patch_remove pins the installed versions, reaches the agent as the remove command, and rolls back", async () => {
    const { id: hostId, agent } = await rhelHost();
    const res = await post("/api/v1/jobs", {
      kind: "patch_remove",
      host_ids: [hostId],
      packages: ["httpd-tools", "not-installed"],
      notes: "drop tools",
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { id: string };
    const run = await agent.waitFor((f): f is Run => f.type === "run");
    expect(run.script).toBe(PATCH_REMOVE_COMMAND);
    expect(decodeRemoveArgs(run.args)).toEqual({
      jobId: created.id,
      items: [{ name: "httpd-tools", arch: "x86_64", version: "2.4.57-8.el9" }],
    });
    await waitStatus(created.id, "succeeded");
    const detail = await getJob(created.id);
    expect(detail.job).toMatchObject({
      kind: "patch_remove",
      notes: "drop tools",
      patch_selection: { packages: ["httpd-tools", "not-installed"], security_only: false, allow_reboot: false },
    });
    expect(detail.hosts[0]?.plan).toEqual([
      { name: "httpd-tools", arch: "x86_64", from_version: "2.4.57-8.el9", to_version: null },
    ]);
    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'job.create' AND target_id = ?")
      .bind(created.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ kind: "patch_remove", host_count: 1, packages: 1 });

    const rb = await post(`/api/v1/jobs/${created.id}/rollback`);
    expect(rb.status).toBe(200);
    const rollback = (await rb.json()) as { id: string; parent_job_id: string };
    expect(rollback.parent_job_id).toBe(created.id);
    const rbRun = await agent.waitFor((f): f is Run => f.type === "run" && f.script === PATCH_ROLLBACK_COMMAND);
    expect(rbRun.args).toEqual([created.id]);
    await waitStatus(rollback.id, "succeeded");
    agent.close();
  });

  it("refuses bad patch_remove bodies (400) and packages no selected host has (422 no_hosts), creating nothing", async () => {
    const { id: hostId, agent } = await rhelHost();
    const empty = await post("/api/v1/jobs", { kind: "patch_remove", host_ids: [hostId], packages: [] });
    expect(empty.status).toBe(400);
    const missing = await post("/api/v1/jobs", { kind: "patch_remove", host_ids: [hostId] });
    expect(missing.status).toBe(400);
    const extra = await post("/api/v1/jobs", {
      kind: "patch_remove",
      host_ids: [hostId],
      packages: ["httpd"],
      security_only: true,
    });
    expect(extra.status).toBe(400);
    const none = await post("/api/v1/jobs", { kind: "patch_remove", host_ids: [hostId], packages: ["nothere"] });
    expect(none.status).toBe(422);
    expect((await nativeError(none)).code).toBe("no_hosts");
    const unknown = await post("/api/v1/jobs", {
      kind: "patch_remove",
      host_ids: [crypto.randomUUID()],
      packages: ["httpd"],
    });
    expect(unknown.status).toBe(400);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM job_hosts WHERE host_id = ?").bind(hostId).first();
    expect(count).toEqual({ n: 0 });
    agent.close();
  });

  it("plans jobs of more hosts and packages than D1 binds parameters (150 hosts, 120 package names)", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const ids = await seedHosts(Array.from({ length: 150 }, (_, i) => ({ name: `${tag}-${i}` })));
    const names = Array.from({ length: 120 }, (_, i) => `${tag}-pkg${i}`);
    await env.DB.batch(
      ids.flatMap((id) => [
        env.DB.prepare(
          `INSERT INTO host_updates (host_id, name, arch, current_version, candidate_version, source, security, cve_ids, origins, first_seen_at)
           VALUES (?, ?, 'x86_64', '1.0-1', '1.0-2', ?, 'true', '[]', '[]', ?)`,
        ).bind(id, names[0] ?? "", names[0] ?? "", Date.now()),
        env.DB.prepare(
          `INSERT INTO host_packages (host_id, name, arch, version, source, source_version, status)
           VALUES (?, ?, 'x86_64', '1.0-1', ?, '1.0-1', 'ii')`,
        ).bind(id, names[1] ?? "", names[1] ?? ""),
      ]),
    );
    const apply = await post("/api/v1/jobs", { host_ids: ids, packages: names, immediate: true });
    expect(apply.status).toBe(200);
    const applied = await getJob(((await apply.json()) as { id: string }).id);
    expect(applied.hosts).toHaveLength(150);
    expect(applied.hosts[0]?.plan).toEqual([
      { name: names[0], arch: "x86_64", from_version: "1.0-1", to_version: "1.0-2" },
    ]);
    const remove = await post("/api/v1/jobs", { kind: "patch_remove", host_ids: ids, packages: names });
    expect(remove.status).toBe(200);
    const removed = await getJob(((await remove.json()) as { id: string }).id);
    expect(removed.hosts).toHaveLength(150);
    expect(removed.hosts[149]?.plan).toEqual([
      { name: names[1], arch: "x86_64", from_version: "1.0-1", to_version: null },
    ]);
  });
});
