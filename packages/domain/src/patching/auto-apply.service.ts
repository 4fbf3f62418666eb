import { mayStartHost, openOccurrence } from "@fleetgate/contract/patching";
import { and, eq, exists, isNotNull } from "drizzle-orm";
import { createPatchJob } from "../fleet/patch-job-create.service";
import { windowSpec } from "../fleet/patch-job-window";
import { log } from "../log";
import { hostUpdates, jobs, maintenanceWindows } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";

/** Expected run time of an auto_apply job per host: it starts only while this much of its window is left. */
export const AUTO_APPLY_EXPECTED_MINUTES = 15;

/** The job id of one occurrence of one window: a UUID (version 8) from SHA-256, the same for every sweep. */
export async function autoApplyJobId(windowId: string, occurrenceStart: number): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`auto_apply:${windowId}:${occurrenceStart}`)),
  );
  const b = digest.slice(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isDuplicate = (err: unknown) => String(err).includes("UNIQUE constraint failed");

/**
 * `auto_apply` windows (docs/patching.md): for every enabled auto_apply window that is open now,
 * whose host has pending security updates and enough of the window left, one `patch_apply` job
 * (security updates only, bound to the window) per occurrence. Run by the cron sweep; the job id
 * is derived from the window and the occurrence, so overlapping sweeps create it once.
 * Returns the ids of the jobs created.
 */
export async function startAutoApplyJobs(ctx: DomainContext): Promise<string[]> {
  const now = ctx.now();
  const windows = await ctx.db
    .select()
    .from(maintenanceWindows)
    .where(
      and(
        eq(maintenanceWindows.enabled, true),
        eq(maintenanceWindows.autoApply, true),
        exists(
          ctx.db
            .select({ one: hostUpdates.hostId })
            .from(hostUpdates)
            .where(
              and(
                eq(hostUpdates.hostId, maintenanceWindows.hostId),
                eq(hostUpdates.security, "true"),
                isNotNull(hostUpdates.currentVersion),
              ),
            ),
        ),
      ),
    )
    .all();
  const created: string[] = [];
  for (const w of windows) {
    const spec = windowSpec(w);
    const occ = openOccurrence(spec, now);
    if (!occ || !mayStartHost(spec, now, AUTO_APPLY_EXPECTED_MINUTES)) continue;
    const id = await autoApplyJobId(w.id, occ.start);
    if (await ctx.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, id)).get()) continue;
    try {
      await createPatchJob(
        ctx,
        {
          kind: "patch_apply",
          packages: [],
          immediate: false,
          maintenanceWindowId: w.id,
          allowReboot: false,
          securityOnly: true,
          expectedMinutes: AUTO_APPLY_EXPECTED_MINUTES,
        },
        [w.hostId],
        { kind: "all" },
        {
          source: "native",
          timeout_seconds: 3600,
          queue_ttl_seconds: occ.end - now > 60_000 ? Math.floor((occ.end - now) / 1000) : 60,
          require_online: false,
          max_parallel: 1,
          error_threshold: null,
          submitter: { username: "auto_apply", source_ip: "" },
        },
        `Auto-apply of security updates in window "${w.label}"`,
        id,
      );
      created.push(id);
    } catch (err) {
      // Another sweep created it meanwhile, or the host has nothing to do any more.
      if (isDuplicate(err) || (err instanceof DomainError && err.code === "fleet.no_hosts_match")) continue;
      log("error", "auto_apply job not created", { requestId: ctx.requestId, window: w.id, error: String(err) });
    }
  }
  return created;
}
