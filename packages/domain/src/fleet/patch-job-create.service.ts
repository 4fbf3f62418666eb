import { encodePlanArgs, PATCH_APPLY_COMMAND, type PlanItem } from "@fleetgate/contract";
import type { OnHealthFailure } from "@fleetgate/contract/patching";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { hostUpdates } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { inJson } from "../shared/in-json";
import type { JobOptions } from "./job-plan";
import { resolveHostsByIds } from "./job-targets.query";
import type { JobRow } from "./jobs.query";
import { insertAndStart } from "./patch-job-insert";
import { patchJobSchedule, patchRow } from "./patch-job-window";
import type { Visibility } from "./visibility";

/**
 * Each host's ring (0-based) from the request's `rings`: every host of the job in exactly one
 * ring (400 otherwise). `onHealthFailure` without `rings` makes one ring of all hosts. Null: no rollout.
 */
function ringOf(req: PatchJobRequest, hostIds: string[]): Map<string, number> | null {
  if (!req.rings) return req.onHealthFailure ? new Map(hostIds.map((id) => [id, 0])) : null;
  const wanted = new Set(hostIds);
  const out = new Map<string, number>();
  req.rings.forEach((ring, i) => {
    for (const id of ring) {
      if (!wanted.has(id)) throw new DomainError("common.validation", `rings: host ${id} is not in host_ids`);
      if (out.has(id)) throw new DomainError("common.validation", `rings: host ${id} is in more than one ring`);
      out.set(id, i);
    }
  });
  const missing = hostIds.filter((id) => !out.has(id));
  if (missing.length > 0) {
    throw new DomainError(
      "common.validation",
      `rings: every host of host_ids must be in a ring (missing ${missing[0]})`,
    );
  }
  return out;
}

/** A patch job as the native face submits it (linux-patch-manager.md §4 Jobs + our extensions). */
export interface PatchJobRequest {
  kind: "patch_apply";
  /** Package names to update; [] = every pending update. */
  packages: string[];
  immediate: boolean;
  maintenanceWindowId: string | null;
  allowReboot: boolean;
  securityOnly: boolean;
  /** Expected run time per host (minutes): no host starts after its window's end minus this. */
  expectedMinutes: number;
  /** Ordered host sets of a health-gated rollout (every host of the job in exactly one); null: none. */
  rings?: string[][] | null;
  /** With rings (or alone: one ring of every host): what a failed post-patch health check does. */
  onHealthFailure?: OnHealthFailure | null;
}

/**
 * Each host's plan from its pending updates as last reported: exact from → to versions, only
 * the selected packages (and only security updates with `securityOnly`). Packages not installed
 * yet (new dependencies) are not pinned: apt pulls them in and a rollback removes them again.
 */
async function plansFor(ctx: DomainContext, hostIds: string[], req: PatchJobRequest): Promise<Map<string, PlanItem[]>> {
  const rows = await ctx.db
    .select()
    .from(hostUpdates)
    .where(
      and(
        inJson(hostUpdates.hostId, hostIds),
        isNotNull(hostUpdates.currentVersion),
        req.packages.length > 0 ? inJson(hostUpdates.name, req.packages) : undefined,
        req.securityOnly ? eq(hostUpdates.security, "true") : undefined,
      ),
    )
    .orderBy(asc(hostUpdates.hostId), asc(hostUpdates.name), asc(hostUpdates.arch))
    .all();
  const plans = new Map<string, PlanItem[]>();
  for (const r of rows) {
    const list = plans.get(r.hostId) ?? [];
    list.push({ name: r.name, arch: r.arch, from_version: r.currentVersion, to_version: r.candidateVersion });
    plans.set(r.hostId, list);
  }
  return plans;
}

/**
 * Creates a `patch_apply` job: every host's plan (exact versions) is fixed now from its
 * reported pending updates and kept with the job; hosts with nothing to do are left out
 * (none left: 422 no_hosts). A job bound to a maintenance window (`maintenance_window_id`, or
 * `immediate: false` and the hosts' windows) is `pending` until the window opens.
 */
export async function createPatchJob(
  ctx: DomainContext,
  req: PatchJobRequest,
  hostIds: string[],
  v: Visibility,
  options: JobOptions,
  notes: string,
  /** A caller-chosen job id (auto_apply: one per window occurrence, so a repeated sweep cannot create two). */
  jobId?: string,
): Promise<JobRow> {
  const resolved = await resolveHostsByIds(ctx, hostIds, v);
  if (resolved.unknown.length > 0) {
    throw new DomainError("fleet.unknown_hosts", { details: { hosts: resolved.unknown, by: "id" } });
  }
  const id = jobId ?? newId();
  const rings = ringOf(req, [...new Set(hostIds)]);
  const plans = await plansFor(
    ctx,
    resolved.found.map((h) => h.id),
    req,
  );
  const planned = resolved.found.flatMap((target) => {
    const plan = plans.get(target.id) ?? [];
    if (plan.length === 0) return [];
    const args = encodePlanArgs(id, plan, { gate: rings !== null, allowReboot: req.allowReboot });
    if (!args) {
      throw new DomainError(
        "common.validation",
        `The plan for ${target.name} is too large for one job; select fewer packages`,
      );
    }
    return [{ target, args, plan, ring: rings?.get(target.id) ?? 0 }];
  });
  // Rings in order, renumbered without the rings left empty (their hosts had nothing to do).
  const used = [...new Set(planned.map((h) => h.ring))].sort((a, b) => a - b);
  const hosts = planned.map((h) => ({ ...h, ring: used.indexOf(h.ring) })).sort((a, b) => a.ring - b.ring);
  if (hosts.length === 0) {
    throw new DomainError("fleet.no_hosts_match", "No selected host has pending updates matching the selection");
  }
  const schedule = await patchJobSchedule(
    ctx,
    { immediate: req.immediate, windowId: req.maintenanceWindowId, expectedMinutes: req.expectedMinutes },
    hosts.map((h) => h.target),
    v,
  );
  return insertAndStart(ctx, {
    id,
    kind: "patch_apply",
    command: PATCH_APPLY_COMMAND,
    hosts,
    schedule,
    patch: patchRow(req.immediate, schedule, {
      allowReboot: req.allowReboot,
      securityOnly: req.securityOnly,
      packages: req.packages,
      ringCount: rings ? used.length : 0,
      onHealthFailure: rings ? (req.onHealthFailure ?? "stop") : null,
    }),
    options,
    notes,
  });
}
