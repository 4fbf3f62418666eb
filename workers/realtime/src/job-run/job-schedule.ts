import type { JobPlan } from "@fleetgate/contract";
import type { JobMeta } from "./job-run.types";

/**
 * Window rules of a job that waits for a maintenance window (docs/patching.md "Jobs in windows").
 * The plan carries the instants, computed by the domain from the window when the job was created:
 * `not_before` (the job stays `pending` until then) and `last_start_at` (no host is dispatched
 * after it: the window's end minus the expected duration).
 */

/** Whether a job created now starts `pending` (its window opens later). */
export function startsPending(plan: JobPlan, now: number): boolean {
  return plan.not_before !== undefined && plan.not_before > now;
}

/** A pending job whose window has opened (the alarm starts it). */
export function deferredStartDue(meta: JobMeta, plan: JobPlan, now: number): boolean {
  return meta.status === "pending" && meta.cancel_requested === 0 && (plan.not_before ?? 0) <= now;
}

/** Hosts not dispatched by now may no longer start: the window closes before they could finish. */
export function startDeadlinePassed(plan: JobPlan, now: number): boolean {
  return plan.last_start_at !== undefined && now > plan.last_start_at;
}

/** The instants the alarm must wake up for: the window's start (pending), the last start (running with hosts left). */
export function scheduleInstants(meta: JobMeta, plan: JobPlan, pendingHosts: number): number[] {
  if (meta.status === "pending" && plan.not_before !== undefined) return [plan.not_before];
  if (meta.status === "running" && pendingHosts > 0 && plan.last_start_at !== undefined)
    return [plan.last_start_at + 1];
  return [];
}
