import { encodeRemoveArgs, PATCH_REMOVE_COMMAND } from "@fleetgate/contract";
import { and, asc } from "drizzle-orm";
import { hostPackages, type PatchPlanItem } from "../schema";
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

/** A `patch_remove` job as the native face submits it (docs/patching.md "Removing packages"). */
export interface PatchRemoveJobRequest {
  kind: "patch_remove";
  /** Package names to remove (every installed architecture of each). */
  packages: string[];
  immediate: boolean;
  maintenanceWindowId: string | null;
  /** Expected run time per host (minutes): no host starts after its window's end minus this. */
  expectedMinutes: number;
}

/**
 * Each host's removal plan from its reported installed packages: the named packages it has,
 * each pinned to the version installed now (`from_version`; `to_version` null = removed). The
 * agent refuses when the host has another version by then, when other packages depend on one of
 * them, or when it cannot vault one first.
 */
async function removalPlans(
  ctx: DomainContext,
  hostIds: string[],
  packages: string[],
): Promise<Map<string, PatchPlanItem[]>> {
  const rows = await ctx.db
    .select()
    .from(hostPackages)
    .where(and(inJson(hostPackages.hostId, hostIds), inJson(hostPackages.name, packages)))
    .orderBy(asc(hostPackages.hostId), asc(hostPackages.name), asc(hostPackages.arch))
    .all();
  const plans = new Map<string, PatchPlanItem[]>();
  for (const r of rows) {
    const list = plans.get(r.hostId) ?? [];
    list.push({ name: r.name, arch: r.arch, from_version: r.version, to_version: null });
    plans.set(r.hostId, list);
  }
  return plans;
}

/**
 * Creates a `patch_remove` job: hosts that have none of the packages are left out (none left:
 * 422 no_hosts); a rollback job of it re-installs the exact removed versions from each agent's
 * vault. Windows work as for `patch_apply`.
 */
export async function createPatchRemoveJob(
  ctx: DomainContext,
  req: PatchRemoveJobRequest,
  hostIds: string[],
  v: Visibility,
  options: JobOptions,
  notes: string,
): Promise<JobRow> {
  if (req.packages.length === 0) throw new DomainError("common.validation", "packages must name what to remove");
  const resolved = await resolveHostsByIds(ctx, hostIds, v);
  if (resolved.unknown.length > 0) {
    throw new DomainError("fleet.unknown_hosts", { details: { hosts: resolved.unknown, by: "id" } });
  }
  const id = newId();
  const plans = await removalPlans(
    ctx,
    resolved.found.map((h) => h.id),
    [...new Set(req.packages)],
  );
  const hosts = resolved.found.flatMap((target) => {
    const plan = plans.get(target.id) ?? [];
    if (plan.length === 0) return [];
    const args = encodeRemoveArgs(
      id,
      plan.map((p) => ({ name: p.name, arch: p.arch, version: p.from_version ?? "" })),
    );
    if (!args) {
      throw new DomainError("common.validation", `The removal for ${target.name} is too large for one job`);
    }
    return [{ target, args, plan }];
  });
  if (hosts.length === 0) {
    throw new DomainError("fleet.no_hosts_match", "No selected host has any of these packages installed");
  }
  const schedule = await patchJobSchedule(
    ctx,
    { immediate: req.immediate, windowId: req.maintenanceWindowId, expectedMinutes: req.expectedMinutes },
    hosts.map((h) => h.target),
    v,
  );
  return insertAndStart(ctx, {
    id,
    kind: "patch_remove",
    command: PATCH_REMOVE_COMMAND,
    hosts,
    schedule,
    patch: patchRow(req.immediate, schedule, { packages: req.packages }),
    options,
    notes,
  });
}
