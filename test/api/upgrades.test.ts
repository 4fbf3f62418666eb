import { env } from "cloudflare:workers";
import { createDb, jobHostRows, selfUpgradeJobPlan } from "@fleetgate/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAgent, echo, enrollHost, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** Run-unique versions (the R2 bucket is shared with other test files). */
const major = 100 + Math.floor(Math.random() * 1_000_000);
const OLD = `${major}.1.0`;
const NEW = `${major}.2.0`;
const ARM_ONLY = `${major}.3.0-rc.1`;

async function publish(version: string, arches: ("x64" | "arm64")[], latest = false) {
  const artifacts = await Promise.all(
    arches.map(async (arch) => {
      const body = `${arch} executable ${version}`;
      const file = `fleetgate-agent-linux-${arch}`;
      await env.EXPORTS.put(`agent/releases/${version}/${file}`, body);
      return { os: "linux", arch, file, size: body.length, sha256: await sha256(body) };
    }),
  );
  const manifest = JSON.stringify({ name: "fleetgate-agent", version, node: "22.23.3", artifacts, packages: [] });
  await env.EXPORTS.put(`agent/releases/${version}/manifest.json`, manifest);
  if (latest) await env.EXPORTS.put("agent/releases/latest.json", manifest);
}

const setHost = (id: string, fields: { arch?: string; online?: boolean; agent_version?: string }) =>
  env.DB.prepare(
    "UPDATE hosts SET arch = COALESCE(?1, arch), online = COALESCE(?2, online), agent_version = COALESCE(?3, agent_version) WHERE id = ?4",
  )
    .bind(
      fields.arch ?? null,
      fields.online === undefined ? null : fields.online ? 1 : 0,
      fields.agent_version ?? null,
      id,
    )
    .run();

describe("agent self-upgrade (server side)", () => {
  let auth: Record<string, string>;
  let agent: SimAgent;
  let online: { id: string };
  let offline: { id: string };
  let unknownArch: { id: string };
  let current: { id: string };

  beforeAll(async () => {
    auth = bearer(await adminLogin());
    await publish(OLD, ["x64", "arm64"]);
    await publish(NEW, ["x64", "arm64"]);
    await publish(ARM_ONLY, ["arm64"]);
    const h = await enrollHost();
    agent = await connectAgent(h, { scripts: { "fleetgate-self-upgrade": echo }, version: OLD });
    online = h;
    offline = await enrollHost();
    await setHost(offline.id, { arch: "x86_64", online: false, agent_version: OLD });
    unknownArch = await enrollHost();
    await setHost(unknownArch.id, { arch: "riscv64", online: true, agent_version: OLD });
    current = await enrollHost();
    await setHost(current.id, { arch: "aarch64", online: true, agent_version: NEW });
  });
  afterAll(() => agent?.ws.close());

  it("lists the versions for the host's architecture, newest first", async () => {
    const res = await call(`/api/v1/upgrades/available-versions?host_id=${online.id}`, { headers: auth });
    expect(res.status).toBe(200);
    const list = (await res.json()) as { version: string; distro: string; file_name: string; published_at: string }[];
    const mine = list.filter((v) => v.version.startsWith(`${major}.`));
    expect(mine.map((v) => v.version)).toEqual([NEW, OLD]);
    expect(mine[0]).toMatchObject({ distro: "debian", distro_codename: "", file_name: "fleetgate-agent-linux-x64" });
    expect(Number.isNaN(Date.parse(mine[0]?.published_at ?? ""))).toBe(false);

    const arm = (await (
      await call(`/api/v1/upgrades/available-versions?host_id=${current.id}`, { headers: auth })
    ).json()) as { version: string }[];
    expect(arm.filter((v) => v.version.startsWith(`${major}.`)).map((v) => v.version)).toEqual([ARM_ONLY, NEW, OLD]);
  });

  it("refuses bad input and unknown hosts in the native error shape", async () => {
    const missing = await call(`/api/v1/upgrades/available-versions?host_id=${crypto.randomUUID()}`, { headers: auth });
    expect(missing.status).toBe(404);
    expect((await nativeError(missing)).code).toBe("not_found");
    expect((await call("/api/v1/upgrades/available-versions?host_id=nope", { headers: auth })).status).toBe(400);
    expect((await call(`/api/v1/upgrades/available-versions?host_id=${online.id}`)).status).toBe(401);

    const post = (json: unknown) => call("/api/v1/upgrades/trigger", { method: "POST", headers: auth, json });
    expect((await post({ host_ids: [], target_version: NEW })).status).toBe(400);
    expect((await post({ host_ids: [online.id], target_version: "latest; rm -rf /" })).status).toBe(400);
    const scheduled = await post({ host_ids: [online.id], target_version: NEW, immediate: false });
    expect(scheduled.status).toBe(400);
    expect((await nativeError(scheduled)).message).toMatch(/has no enabled maintenance window/);
    const noVersion = await post({ host_ids: [online.id], target_version: `${major}.9.9` });
    expect(noVersion.status).toBe(404);
    expect(await nativeError(noVersion)).toEqual({
      code: "not_found",
      message: `Agent version ${major}.9.9 not found`,
    });
    const nothing = await post({ host_ids: [offline.id, current.id], target_version: NEW });
    expect(nothing.status).toBe(422);
    expect((await nativeError(nothing)).code).toBe("no_hosts");
  });

  it("creates a self_upgrade job with each host's pinned arguments and reports the skipped hosts", async () => {
    const ghost = crypto.randomUUID();
    const res = await call("/api/v1/upgrades/trigger", {
      method: "POST",
      headers: auth,
      json: { host_ids: [online.id, offline.id, unknownArch.id, current.id, ghost, online.id], target_version: NEW },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job_id: string; host_count: number; skipped: unknown[] };
    expect(body.host_count).toBe(1);
    expect(body.skipped).toEqual([
      { host_id: offline.id, reason: "offline" },
      { host_id: unknownArch.id, reason: "unknown_arch" },
      { host_id: current.id, reason: "already_at_version" },
      { host_id: ghost, reason: "not_found" },
    ]);
    const expected = [NEW, await sha256(`x64 executable ${NEW}`), "linux-x64"];

    const run = await agent.waitFor((f) => f.type === "run" && f.script === "fleetgate-self-upgrade");
    expect(run.type === "run" && run.args).toEqual(expected);

    const stored = await env.DB.prepare("SELECT host_id, args FROM self_upgrade_job_hosts WHERE job_id = ?1")
      .bind(body.job_id)
      .all<{ host_id: string; args: string }>();
    expect(stored.results.map((r) => [r.host_id, JSON.parse(r.args)])).toEqual([[online.id, expected]]);

    const job = (await (await call(`/api/v1/jobs/${body.job_id}`, { headers: auth })).json()) as {
      job: { kind: string; script: string; host_count: number };
      hosts: { host_id: string }[];
    };
    expect(job.job).toMatchObject({ kind: "self_upgrade", script: "fleetgate-self-upgrade", host_count: 1 });
    // Every field of the reference's job detail, for this kind too (null where it does not apply).
    const referenceJob = [
      "id",
      "kind",
      "status",
      "created_by_user_id",
      "parent_job_id",
      "maintenance_window_id",
    ].concat(["immediate", "patch_selection", "notes", "created_at", "started_at", "completed_at"]);
    for (const key of referenceJob) expect(job.job, key).toHaveProperty(key);
    expect(job.job).toMatchObject({
      parent_job_id: null,
      maintenance_window_id: null,
      immediate: true,
      patch_selection: null,
    });
    const referenceHost = ["id", "host_id", "display_name", "host_display_name", "status", "agent_job_id"].concat([
      "retry_count",
      "output",
      "error_message",
      "last_error",
      "started_at",
      "completed_at",
    ]);
    for (const key of referenceHost) expect(job.hosts[0], key).toHaveProperty(key);
    expect(job.hosts.map((h) => h.host_id)).toEqual([online.id]);

    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'job.create' AND target_id = ?1")
      .bind(body.job_id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ kind: "self_upgrade", version: NEW, host_count: 1 });
  });

  it("target_version null upgrades to the latest release", async () => {
    const host = await enrollHost();
    await setHost(host.id, { arch: "aarch64", online: true, agent_version: OLD });
    await publish(NEW, ["x64", "arm64"], true);
    const res = await call("/api/v1/upgrades/trigger", {
      method: "POST",
      headers: auth,
      json: { host_ids: [host.id], target_version: null },
    });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const row = await env.DB.prepare("SELECT args FROM self_upgrade_job_hosts WHERE job_id = ?1")
      .bind(job_id)
      .first<{ args: string }>();
    // latest.json is shared: another file may have published its own since, so compare with what it names now.
    const latest = JSON.parse((await (await env.EXPORTS.get("agent/releases/latest.json"))?.text()) ?? "{}") as {
      version: string;
    };
    const args = JSON.parse(row?.args ?? "[]") as string[];
    expect(args[2]).toBe("linux-arm64");
    expect(args[0]).toBe(latest.version);
  });

  it("a replayed start rebuilds each host's arguments from the job, not from the host's current state", async () => {
    const host = await enrollHost();
    await setHost(host.id, { arch: "x86_64", online: true, agent_version: OLD });
    const res = await call("/api/v1/upgrades/trigger", {
      method: "POST",
      headers: auth,
      json: { host_ids: [host.id], target_version: NEW },
    });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    await setHost(host.id, { arch: "aarch64", agent_version: ARM_ONLY });
    const db = createDb(env.DB);
    const row = await db.query.jobs.findFirst({ where: (j, { eq }) => eq(j.id, job_id) });
    if (!row) throw new Error("job row missing");
    const plan = await selfUpgradeJobPlan({ db }, row, await jobHostRows(db, job_id));
    expect(plan.script).toBe("fleetgate-self-upgrade");
    expect(plan.hosts.map((h) => [h.host_id, h.args])).toEqual([
      [host.id, [NEW, await sha256(`x64 executable ${NEW}`), "linux-x64"]],
    ]);
  });
});
