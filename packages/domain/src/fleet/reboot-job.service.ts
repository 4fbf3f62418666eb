import { REBOOT_COMMAND } from "@fleetgate/contract";
import { hostPatchState } from "../schema";
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

/** A `reboot` job as the native face submits it (docs/patching.md "Reboots"). */
export interface RebootJobRequest {
  kind: "reboot";
  /** Only hosts whose last inventory says a reboot is required. */
  onlyIfRequired: boolean;
  immediate: boolean;
  maintenanceWindowId: string | null;
  expectedMinutes: number;
}

/** Hosts among `hostIds` whose last inventory report says a reboot is required. */
async function hostsRequiringReboot(ctx: DomainContext, hostIds: string[]): Promise<Set<string>> {
  const rows = await ctx.db
    .select({ hostId: hostPatchState.hostId, required: hostPatchState.rebootRequired })
    .from(hostPatchState)
    .where(inJson(hostPatchState.hostId, hostIds))
    .all();
  return new Set(rows.filter((r) => r.required).map((r) => r.hostId));
}

/**
 * Creates a `reboot` job: every host (or, `only_if_required`, those whose inventory requires a
 * reboot; none: 422 no_hosts) runs the agent's `fleetgate-reboot` built-in. Windows work as for
 * patch jobs. The host is `rebooting` once its agent is about to reboot and succeeds only when it
 * is back with a new boot id.
 */
export async function createRebootJob(
  ctx: DomainContext,
  req: RebootJobRequest,
  hostIds: string[],
  v: Visibility,
  options: JobOptions,
  notes: string,
): Promise<JobRow> {
  const resolved = await resolveHostsByIds(ctx, hostIds, v);
  if (resolved.unknown.length > 0) {
    throw new DomainError("fleet.unknown_hosts", { details: { hosts: resolved.unknown, by: "id" } });
  }
  const id = newId();
  const required = req.onlyIfRequired
    ? await hostsRequiringReboot(
        ctx,
        resolved.found.map((h) => h.id),
      )
    : null;
  const targets = required ? resolved.found.filter((h) => required.has(h.id)) : resolved.found;
  if (targets.length === 0) {
    throw new DomainError("fleet.no_hosts_match", "No selected host reports that it requires a reboot");
  }
  const schedule = await patchJobSchedule(
    ctx,
    { immediate: req.immediate, windowId: req.maintenanceWindowId, expectedMinutes: req.expectedMinutes },
    targets,
    v,
  );
  return insertAndStart(ctx, {
    id,
    kind: "reboot",
    command: REBOOT_COMMAND,
    hosts: targets.map((target) => ({ target, args: [id], plan: [] })),
    schedule,
    patch: patchRow(req.immediate, schedule, { allowReboot: true }),
    options,
    notes,
  });
}
