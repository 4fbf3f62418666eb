import { type JobPlan, SELF_UPGRADE_COMMAND } from "@fleetgate/contract";
import { eq, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { insertJobHostRows } from "../fleet/job-host-rows";
import { type JobOptions, newReqid, planOf } from "../fleet/job-plan";
import type { JobRow } from "../fleet/jobs.query";
import { initialJobStatus, patchJobSchedule, scheduleAuditDetail, scheduleFields } from "../fleet/patch-job-window";
import { hostVisible, type Visibility } from "../fleet/visibility";
import { hosts, jobs, selfUpgradeJobHosts, selfUpgradeJobSchedules } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import {
  AGENT_RELEASE_PREFIX,
  type AgentReleaseManifest,
  AgentVersion,
  agentReleaseManifest,
  type ReleaseStore,
} from "./agent-releases.service";

/** The executable architecture of a host's reported machine (`uname -m` / Node's os.machine()); undefined if none. */
export function agentArchOf(machine: string): "x64" | "arm64" | undefined {
  const m = machine.trim().toLowerCase();
  if (m === "x86_64" || m === "amd64" || m === "x64") return "x64";
  if (m === "aarch64" || m === "arm64" || m === "armv8") return "arm64";
  return undefined;
}

/** Semver precedence (major.minor.patch, then a release above its pre-releases, then the suffix). */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(v);
    return m ? { n: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] } : { n: [0, 0, 0], pre: v };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.n[i] ?? 0) - (y.n[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** Every published version (the `agent/releases/<version>/` prefixes with a valid name). */
export async function publishedVersions(store: ReleaseStore): Promise<string[]> {
  const versions: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix: AGENT_RELEASE_PREFIX, delimiter: "/", cursor });
    for (const p of page.delimitedPrefixes) {
      const v = p.slice(AGENT_RELEASE_PREFIX.length, -1);
      if (AgentVersion.safeParse(v).success) versions.push(v);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return versions;
}

interface VisibleHost {
  id: string;
  name: string;
  arch: string;
  osFamily: string;
  agentVersion: string;
  online: boolean;
}

async function visibleHosts(ctx: DomainContext, ids: string[], v: Visibility): Promise<Map<string, VisibleHost>> {
  const rows = await ctx.db
    .select({
      id: hosts.id,
      name: hosts.name,
      arch: hosts.arch,
      osFamily: hosts.osFamily,
      agentVersion: hosts.agentVersion,
      online: hosts.online,
    })
    .from(hosts)
    .where(
      sql`${hosts.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND ${hostVisible(v, sql`${hosts.id}`) ?? sql`1 = 1`}`,
    )
    .all();
  return new Map(rows.map((r) => [r.id, r]));
}

/** One entry of `GET /upgrades/available-versions` (the reference product's shape). */
export interface AvailableVersion {
  version: string;
  distro: string;
  distro_codename: string;
  file_name: string;
  published_at: string;
}

/**
 * The agent versions a host can upgrade to: every published release with an executable for the
 * host's architecture, newest first. `distro` is the host's reported OS family (the executable is
 * the same for every distribution, so `distro_codename` is empty). A host the caller cannot see: 404.
 */
export async function availableAgentVersions(
  ctx: DomainContext,
  store: ReleaseStore,
  hostId: string,
  v: Visibility,
): Promise<AvailableVersion[]> {
  const host = (await visibleHosts(ctx, [hostId], v)).get(hostId);
  if (!host) throw new DomainError("common.not_found", "Host not found");
  const arch = agentArchOf(host.arch);
  if (!arch) return [];
  const versions = (await publishedVersions(store)).sort((a, b) => compareVersions(b, a));
  const out: AvailableVersion[] = [];
  for (const version of versions) {
    const manifest = await agentReleaseManifest(store, version).catch(() => undefined);
    const exe = manifest?.artifacts.find((a) => a.os === "linux" && a.arch === arch);
    if (!exe) continue;
    const stored = await store.head(`${AGENT_RELEASE_PREFIX}${version}/manifest.json`);
    if (!stored) continue;
    out.push({
      version,
      distro: host.osFamily || "linux",
      distro_codename: "",
      file_name: exe.file,
      published_at: stored.uploaded.toISOString(),
    });
  }
  return out;
}

export type UpgradeSkipReason = "not_found" | "offline" | "unknown_arch" | "already_at_version" | "no_artifact";

export interface TriggerUpgrade {
  hostIds: string[];
  /** null = the latest release. */
  targetVersion: string | null;
  options: JobOptions;
  /**
   * When to run (as patch jobs): `windowId` = in that maintenance window; `immediate: false`
   * without one = in the hosts' own windows; otherwise now.
   */
  schedule: { immediate: boolean; windowId: string | null; expectedMinutes: number };
}

export interface UpgradeTriggered {
  job: JobRow;
  hostCount: number;
  skipped: { host_id: string; reason: UpgradeSkipReason }[];
}

/** The arguments for one host, or why it is skipped. */
function argsFor(
  host: VisibleHost | undefined,
  manifest: AgentReleaseManifest,
  startsNow: boolean,
): { args: string[] } | { reason: UpgradeSkipReason } {
  if (!host) return { reason: "not_found" };
  if (startsNow && !host.online) return { reason: "offline" };
  const arch = agentArchOf(host.arch);
  if (!arch) return { reason: "unknown_arch" };
  if (host.agentVersion === manifest.version) return { reason: "already_at_version" };
  const exe = manifest.artifacts.find((a) => a.os === "linux" && a.arch === arch);
  if (!exe) return { reason: "no_artifact" };
  return { args: [manifest.version, exe.sha256, `linux-${arch}`] };
}

/**
 * `POST /upgrades/trigger`: a `self_upgrade` job whose per-host arguments are fixed now
 * ([version, sha256 of the host's executable, `linux-<arch>`]) and stored with the job. Hosts
 * that are not visible, offline (only for a job that starts now), of an unknown architecture or
 * already at the version are skipped with the reason; none left: 422 `fleet.no_hosts_match`
 * (nothing is created). A scheduled upgrade (`immediate: false` / a maintenance window) is
 * `pending` until its window opens, exactly as a windowed patch job (patch-job-window.ts).
 */
export async function triggerSelfUpgrade(
  ctx: DomainContext,
  store: ReleaseStore,
  input: TriggerUpgrade,
  v: Visibility,
): Promise<UpgradeTriggered> {
  const manifest = await agentReleaseManifest(store, input.targetVersion ?? undefined);
  if (!manifest) {
    throw new DomainError(
      "common.not_found",
      input.targetVersion ? `Agent version ${input.targetVersion} not found` : "No agent release published",
    );
  }
  const unique = [...new Set(input.hostIds)];
  const found = await visibleHosts(ctx, unique, v);
  const targets: { host: VisibleHost; args: string[] }[] = [];
  const skipped: UpgradeTriggered["skipped"] = [];
  const startsNow = input.schedule.immediate && input.schedule.windowId === null;
  for (const id of unique) {
    const host = found.get(id);
    const r = argsFor(host, manifest, startsNow);
    if ("reason" in r || !host) skipped.push({ host_id: id, reason: "reason" in r ? r.reason : "not_found" });
    else targets.push({ host, args: r.args });
  }
  if (targets.length === 0) {
    const why = skipped.map((x) => `${x.host_id}: ${x.reason}`).join(", ");
    throw new DomainError("fleet.no_hosts_match", `No selected host can be upgraded (${why})`);
  }
  const schedule = await patchJobSchedule(
    ctx,
    input.schedule,
    targets.map((t) => t.host),
    v,
  );
  const id = newId();
  const now = ctx.now();
  const job: JobRow = {
    id,
    reqid: newReqid(),
    kind: "self_upgrade",
    script: SELF_UPGRADE_COMMAND,
    args: [manifest.version],
    mode: "async",
    status: initialJobStatus(schedule, now),
    options: input.options,
    notes: `Agent upgrade to ${manifest.version}`,
    createdBy: ctx.actor?.id ?? null,
    idempotencyKey: null,
    hostCount: targets.length,
    succeededCount: 0,
    failedCount: 0,
    createdAt: now,
    startedAt: null,
    completedAt: null,
  };
  const rows = targets.map((t) => ({ id: newId(), host_id: t.host.id, host_name: t.host.name, args: t.args }));
  await commitAudited(
    ctx,
    [
      ctx.db.insert(jobs).values(job),
      insertJobHostRows(ctx, id, rows),
      ctx.db.insert(selfUpgradeJobHosts).select(
        sql`SELECT ${id}, json_extract(value, '$.host_id'), json_extract(value, '$.args')
              FROM json_each(${JSON.stringify(rows.map((r) => ({ host_id: r.host_id, args: JSON.stringify(r.args) })))})`,
      ),
      ...(schedule
        ? [
            ctx.db.insert(selfUpgradeJobSchedules).values({
              jobId: id,
              maintenanceWindowId: schedule.windowId,
              notBefore: schedule.notBefore,
              lastStartAt: schedule.lastStartAt,
            }),
          ]
        : []),
    ],
    {
      action: "job.create",
      targetType: "job",
      targetId: id,
      detail: {
        reqid: job.reqid,
        kind: "self_upgrade",
        version: manifest.version,
        host_count: targets.length,
        skipped,
        ...scheduleAuditDetail(schedule),
      },
    },
  );
  const plan = await selfUpgradeJobPlan(
    ctx,
    job,
    rows.map((r) => ({ id: r.id, hostId: r.host_id, hostName: r.host_name })),
  );
  await ctx.jobRuns.start(plan);
  return { job, hostCount: targets.length, skipped };
}

/**
 * The JobPlan of a `self_upgrade` job from D1: each host's stored arguments and, for a job in a
 * maintenance window, its stored window instants (a replayed start sends the same and still waits).
 */
export async function selfUpgradeJobPlan(
  ctx: Pick<DomainContext, "db">,
  job: JobRow,
  rows: Parameters<typeof planOf>[1],
): Promise<JobPlan> {
  const stored = await ctx.db.select().from(selfUpgradeJobHosts).where(eq(selfUpgradeJobHosts.jobId, job.id)).all();
  const argsOf = new Map(stored.map((s) => [s.hostId, s.args]));
  const base = planOf(job, rows);
  const schedule = await ctx.db
    .select()
    .from(selfUpgradeJobSchedules)
    .where(eq(selfUpgradeJobSchedules.jobId, job.id))
    .get();
  return {
    ...base,
    ...scheduleFields(schedule ? { windowId: schedule.maintenanceWindowId, ...schedule } : null),
    hosts: base.hosts.map((h) => ({ ...h, args: argsOf.get(h.host_id) ?? [] })),
  };
}

/** Each host's stored self-upgrade arguments (empty for other jobs). */
export async function selfUpgradeArgsOf(ctx: Pick<DomainContext, "db">, jobId: string): Promise<Map<string, string[]>> {
  const stored = await ctx.db.select().from(selfUpgradeJobHosts).where(eq(selfUpgradeJobHosts.jobId, jobId)).all();
  return new Map(stored.map((s) => [s.hostId, s.args]));
}
