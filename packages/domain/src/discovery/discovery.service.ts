import {
  DISCOVERY_PROBE_TIMEOUT_MS,
  type DiscoveredAddress,
  type DiscoverFrame,
  type DiscoveryDoneFrame,
  type DiscoveryResultsFrame,
} from "@fleetgate/contract";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { Database } from "../db";
import { registerHost } from "../fleet/host-registration.service";
import { getVisibleHost } from "../fleet/hosts.service";
import { hostVisible, type Visibility } from "../fleet/visibility";
import type { EnrollmentView } from "../pki/enrollments.service";
import { discoveredHosts, discoveryScans, hosts } from "../schema";
import { loadSettings } from "../settings/settings.service";
import { ipInCidrs } from "../shared/cidr";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid, newId } from "../shared/ids";
import { SCAN_TIMED_OUT } from "./discovery-expiry";
import { checkScanRange } from "./scan-range";

export type DiscoveryScanRow = typeof discoveryScans.$inferSelect;
export type DiscoveredHostRow = typeof discoveredHosts.$inferSelect;

/** Probes at once on the scanning agent (the reference uses 128; an agent shares its host). */
export const DISCOVERY_CONCURRENCY = 64;
/** A scan whose agent has not reported `discovery_done` by then is failed. */
export const DISCOVERY_DEADLINE_MS = 5 * 60_000;
/** Online agents tried in turn for a `via_tag` scan. */
const MAX_CANDIDATES = 10;
const TAG = /^([A-Za-z0-9_.-]{1,64})(?:=(.{0,256}))?$/;

export interface StartScanInput {
  cidr: string;
  agentPort: number;
  viaHostId?: string;
  viaTag?: string;
}

/** Online hosts visible to the caller carrying admin tag `key` (with `value` when given; never an agent label), nearest to the range first. */
async function taggedCandidates(ctx: DomainContext, tag: string, v: Visibility, block: string) {
  const m = TAG.exec(tag);
  if (!m?.[1]) throw new DomainError("common.validation", "via_tag: expected key or key=value");
  const path = `$."${m[1]}"`;
  const conds = [
    eq(hosts.online, true),
    m[2] === undefined
      ? sql`json_extract(${hosts.adminTags}, ${path}) IS NOT NULL`
      : sql`json_extract(${hosts.adminTags}, ${path}) = ${m[2]}`,
  ];
  const visible = hostVisible(v, sql`${hosts.id}`);
  if (visible) conds.push(visible);
  const rows = await ctx.db
    .select({ id: hosts.id, ipAddress: hosts.ipAddress })
    .from(hosts)
    .where(and(...conds))
    .orderBy(desc(hosts.lastSeenAt), asc(hosts.id))
    .limit(100)
    .all();
  // An agent inside the allowlisted block of the range is in "that network": prefer it.
  const near = rows.filter((r) => ipInCidrs(r.ipAddress, [block]));
  const rest = rows.filter((r) => !ipInCidrs(r.ipAddress, [block]));
  return [...near, ...rest].slice(0, MAX_CANDIDATES).map((r) => r.id);
}

/**
 * `POST /discovery/cidr`: checks the range against the allowlist and the /22 bound, then hands
 * the scan to an online agent (the named host, or the first online host with the tag that takes
 * it). The scan row exists before the agent is asked (its results may arrive at once); it is
 * removed again when no agent took the scan, so a refusal leaves nothing behind.
 */
export async function startDiscoveryScan(
  ctx: DomainContext,
  input: StartScanInput,
  v: Visibility,
): Promise<DiscoveryScanRow> {
  const cidr = input.cidr.trim();
  const settings = await loadSettings(ctx);
  const { block } = checkScanRange(cidr, settings.discovery_cidrs);
  if ((input.viaHostId === undefined) === (input.viaTag === undefined)) {
    throw new DomainError("common.validation", "Exactly one of via_host_id or via_tag is required");
  }
  const candidates =
    input.viaHostId !== undefined
      ? [(await getVisibleHost(ctx, input.viaHostId, v)).id]
      : await taggedCandidates(ctx, input.viaTag ?? "", v, block);
  const now = ctx.now();
  const scan: DiscoveryScanRow = {
    id: newId(),
    cidr,
    agentPort: input.agentPort,
    viaHostId: candidates[0] ?? null,
    status: "running",
    probed: 0,
    error: null,
    createdBy: ctx.actor?.id ?? null,
    createdAt: now,
    deadlineAt: now + DISCOVERY_DEADLINE_MS,
    completedAt: null,
  };
  if (candidates.length === 0) throw new DomainError("common.conflict", "No online agent can run this scan");
  await ctx.db.insert(discoveryScans).values(scan).run();
  const frame: DiscoverFrame = {
    type: "discover",
    scan_id: scan.id,
    cidr,
    agent_port: input.agentPort,
    concurrency: DISCOVERY_CONCURRENCY,
    timeout_ms: DISCOVERY_PROBE_TIMEOUT_MS,
  };
  for (const hostId of candidates) {
    await ctx.db.update(discoveryScans).set({ viaHostId: hostId }).where(eq(discoveryScans.id, scan.id)).run();
    let outcome: "sent" | "offline" = "offline";
    try {
      outcome = await ctx.hostChannels.discover(hostId, frame);
    } catch {
      outcome = "offline";
    }
    if (outcome === "sent") {
      await commitAudited(ctx, [], {
        action: "discovery.scan",
        targetType: "discovery_scan",
        targetId: scan.id,
        detail: { cidr, agent_port: input.agentPort, via_host_id: hostId },
      });
      return { ...scan, viaHostId: hostId };
    }
  }
  await ctx.db.delete(discoveryScans).where(eq(discoveryScans.id, scan.id)).run();
  throw new DomainError("common.conflict", "No online agent can run this scan");
}

/** The scan, when the caller may see it (its own scan, or one run through a host it sees). */
async function visibleScan(ctx: DomainContext, scanId: string, v: Visibility): Promise<DiscoveryScanRow> {
  const scan = isUuid(scanId)
    ? await ctx.db.select().from(discoveryScans).where(eq(discoveryScans.id, scanId)).get()
    : undefined;
  if (!scan) throw new DomainError("common.not_found", "Discovery scan not found");
  if (v.kind === "all" || scan.createdBy === v.identityId) return scan;
  if (scan.viaHostId) {
    const cond = hostVisible(v, sql`${scan.viaHostId}`);
    const ok = cond ? await ctx.db.get<{ ok: number } | undefined>(sql`SELECT 1 AS ok WHERE ${cond}`) : { ok: 1 };
    if (ok) return scan;
  }
  throw new DomainError("common.not_found", "Discovery scan not found");
}

/** The scan's state as the caller sees it: a running scan past its deadline reads as failed. */
export function effectiveScan(scan: DiscoveryScanRow, now: number): DiscoveryScanRow {
  if (scan.status !== "running" || now <= scan.deadlineAt) return scan;
  return { ...scan, status: "failed", error: SCAN_TIMED_OUT };
}

export interface DiscoveredHostView extends DiscoveredHostRow {
  /** The registry host this address is (registered from it, or the agent identity it presented). */
  known: { id: string; agentVersion: string; osName: string } | null;
}

/** `GET /discovery/{scan_id}` and its status: the scan and every address that answered, by address. */
export async function getDiscoveryScan(
  ctx: DomainContext,
  scanId: string,
  v: Visibility,
): Promise<{ scan: DiscoveryScanRow; rows: DiscoveredHostView[] }> {
  const scan = effectiveScan(await visibleScan(ctx, scanId, v), ctx.now());
  const rows = await ctx.db
    .select()
    .from(discoveredHosts)
    .where(eq(discoveredHosts.scanId, scan.id))
    .orderBy(asc(discoveredHosts.discoveredAt), asc(discoveredHosts.ipAddress))
    .all();
  const names = [...new Set(rows.map((r) => r.identity?.common_name).filter((n): n is string => !!n))];
  const ids = [...new Set(rows.map((r) => r.hostId).filter((n): n is string => !!n))];
  const known = new Map<string, { id: string; agentVersion: string; osName: string }>();
  const pick = {
    id: hosts.id,
    name: hosts.name,
    fqdn: hosts.fqdn,
    agentVersion: hosts.agentVersion,
    osName: hosts.osName,
  };
  if (ids.length > 0) {
    for (const h of await ctx.db
      .select(pick)
      .from(hosts)
      .where(inArray(hosts.id, ids.slice(0, 90)))
      .all()) {
      known.set(`id:${h.id}`, h);
    }
  }
  if (names.length > 0) {
    for (const h of await ctx.db
      .select(pick)
      .from(hosts)
      .where(inArray(hosts.name, names.slice(0, 90)))
      .all()) {
      known.set(`name:${h.name}`, h);
    }
  }
  return {
    scan,
    rows: rows.map((r) => {
      const k = known.get(`id:${r.hostId}`) ?? known.get(`name:${r.identity?.common_name}`) ?? null;
      return { ...r, known: k ? { id: k.id, agentVersion: k.agentVersion, osName: k.osName } : null };
    }),
  };
}

/**
 * `POST /discovery/{id}/register`: makes a host of a discovered address (its reverse-DNS name, else
 * the name its agent presented, else the address) with a one-time enrollment, through the same
 * path as `POST /hosts` (the address is already known: no DNS lookup). The row is claimed first,
 * so two concurrent registrations of one address create one host; a failed registration
 * releases the claim.
 */
export async function registerDiscoveredHost(
  ctx: DomainContext,
  id: string,
  input: { displayName?: string; groupIds?: string[] },
  v: Visibility,
): Promise<{ hostId: string; enrollment: EnrollmentView }> {
  const row = isUuid(id)
    ? await ctx.db.select().from(discoveredHosts).where(eq(discoveredHosts.id, id)).get()
    : undefined;
  if (!row) throw new DomainError("common.not_found", "Discovered host not found");
  try {
    await visibleScan(ctx, row.scanId, v);
  } catch {
    throw new DomainError("common.not_found", "Discovered host not found");
  }
  const claimed = await ctx.db
    .update(discoveredHosts)
    .set({ registered: true })
    .where(and(eq(discoveredHosts.id, id), eq(discoveredHosts.registered, false)))
    .returning({ id: discoveredHosts.id })
    .all();
  if (claimed.length === 0) throw new DomainError("common.conflict", "Host already registered from discovery");
  const fqdn = row.fqdn ?? row.identity?.common_name ?? row.ipAddress.replace(/:/g, "-");
  try {
    const out = await registerHost(
      ctx,
      { resolve: async () => row.ipAddress },
      { fqdn, displayName: input.displayName, agentPort: row.agentPort, groupIds: input.groupIds },
    );
    await ctx.db.update(discoveredHosts).set({ hostId: out.hostId }).where(eq(discoveredHosts.id, id)).run();
    return out;
  } catch (err) {
    await ctx.db.update(discoveredHosts).set({ registered: false }).where(eq(discoveredHosts.id, id)).run();
    throw err;
  }
}

// ---- written by the scanning agent's HostChannel -------------------------------------------

/** The scan `scanId` if host `hostId` is the agent running it and it still runs. */
async function runningScanOf(db: Database, hostId: string, scanId: string, now: number) {
  if (!isUuid(scanId)) return undefined;
  const scan = await db
    .select()
    .from(discoveryScans)
    .where(and(eq(discoveryScans.id, scanId), eq(discoveryScans.viaHostId, hostId)))
    .get();
  return scan && scan.status === "running" && now <= scan.deadlineAt ? scan : undefined;
}

/**
 * Stores a batch of results an agent streamed. Only the agent the scan was handed to may write
 * it, only while it runs, and only addresses inside the scan's range; a repeated address keeps
 * its first row. Returns how many rows were stored.
 */
export async function recordDiscoveryResults(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
  frame: DiscoveryResultsFrame,
  now: number,
): Promise<number> {
  const { db } = ctx;
  const scan = await runningScanOf(db, hostId, frame.scan_id, now);
  if (!scan) return 0;
  const inRange = frame.results.filter((r: DiscoveredAddress) => ipInCidrs(r.ip_address, [scan.cidr]));
  if (inRange.length === 0) return 0;
  const inserts = inRange.map((r) =>
    db
      .insert(discoveredHosts)
      .values({
        id: newId(),
        scanId: scan.id,
        ipAddress: r.ip_address,
        fqdn: r.fqdn,
        agentPort: scan.agentPort,
        agentPortOpen: r.agent_port_open,
        sshOpen: r.ssh_open,
        identity: r.identity,
        discoveredAt: now,
      })
      .onConflictDoNothing(),
  );
  const [first, ...rest] = inserts;
  if (!first) return 0;
  await db.batch([first, ...rest]);
  return inserts.length;
}

/** The agent finished (or refused) the scan it runs. */
export async function finishDiscoveryScan(
  ctx: Pick<DomainContext, "db">,
  hostId: string,
  frame: DiscoveryDoneFrame,
  now: number,
): Promise<boolean> {
  const { db } = ctx;
  const scan = await runningScanOf(db, hostId, frame.scan_id, now);
  if (!scan) return false;
  const done = await db
    .update(discoveryScans)
    .set({
      status: frame.error ? "failed" : "completed",
      probed: frame.probed,
      error: frame.error,
      completedAt: now,
    })
    .where(and(eq(discoveryScans.id, scan.id), eq(discoveryScans.status, "running")))
    .returning({ id: discoveryScans.id })
    .all();
  return done.length > 0;
}
