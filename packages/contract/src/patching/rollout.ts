import { z } from "zod";
import type { ErrorThreshold, JobHostStatus } from "../realtime/rpc";

/**
 * Health-gated rollouts (docs/patching.md "Rings"): a patch job's hosts in ordered rings. A ring
 * starts only when every earlier ring passed: all its hosts ended, no host's post-patch health
 * check failed, and no more hosts failed than the job's `error_threshold` (per ring). Used by the
 * JobRun (which ring may be dispatched) and the API (the rings of `GET /jobs/{id}`).
 */

/** What happens to a ring whose post-patch health checks failed: stop the rollout, or also roll the ring back. */
export const OnHealthFailure = z.enum(["stop", "rollback"]);
export type OnHealthFailure = z.infer<typeof OnHealthFailure>;

/**
 * Exit codes of the `fleetgate-patch-apply` built-in: 0 applied (and healthy), 1 failed,
 * 3 a pre-patch health check failed (nothing was changed), 4 applied but a post-patch check failed.
 */
export const PATCH_EXIT = { ok: 0, failed: 1, preCheckFailed: 3, postCheckFailed: 4 } as const;

export const RING_STATES = ["waiting", "running", "passed", "failed", "cancelled"] as const;
export type RingState = (typeof RING_STATES)[number];

/** One host as the ring rules see it. */
export interface RingHost {
  ring: number;
  status: JobHostStatus;
  exit_code: number | null;
}

export interface RingView {
  index: number;
  state: RingState;
  host_count: number;
  succeeded: number;
  failed: number;
  /** Hosts whose post-patch health check failed (their packages were changed). */
  health_failed: number;
  /** Why a failed ring failed. */
  reason: string | null;
}

const FAILED: ReadonlySet<JobHostStatus> = new Set(["failed", "timed_out", "offline_expired"]);
const TERMINAL: ReadonlySet<JobHostStatus> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "offline_expired",
]);

/** "More than N, or more than N %, of the ring's hosts failed" (the job's error threshold, per ring). */
export function ringThresholdExceeded(t: ErrorThreshold | null, failures: number, hostCount: number): boolean {
  if (!t) return false;
  return t.kind === "count" ? failures > t.value : failures * 100 > t.value * hostCount;
}

/** The state of every ring from its hosts (rings numbered 0..ringCount-1). */
export function ringViews(hosts: readonly RingHost[], ringCount: number, threshold: ErrorThreshold | null): RingView[] {
  const views: RingView[] = [];
  for (let index = 0; index < ringCount; index++) {
    const own = hosts.filter((h) => h.ring === index);
    const succeeded = own.filter((h) => h.status === "succeeded").length;
    const failed = own.filter((h) => FAILED.has(h.status)).length;
    const healthFailed = own.filter((h) => h.status === "failed" && h.exit_code === PATCH_EXIT.postCheckFailed).length;
    const cancelled = own.filter((h) => h.status === "cancelled").length;
    const started = own.some((h) => h.status !== "pending" && h.status !== "cancelled");
    const ended = own.every((h) => TERMINAL.has(h.status));
    let state: RingState;
    let reason: string | null = null;
    if (healthFailed > 0) {
      state = "failed";
      reason = `post-patch health check failed on ${healthFailed} host(s)`;
    } else if (ringThresholdExceeded(threshold, failed, own.length)) {
      state = "failed";
      reason = `${failed} of ${own.length} host(s) failed (error threshold exceeded)`;
    } else if (!started) {
      state = own.length > 0 && cancelled === own.length ? "cancelled" : "waiting";
    } else if (!ended) {
      state = "running";
    } else if (cancelled > 0) {
      state = "cancelled";
    } else {
      state = "passed";
    }
    views.push({ index, state, host_count: own.length, succeeded, failed, health_failed: healthFailed, reason });
  }
  return views;
}

/** The ring whose hosts may be dispatched now: the first ring that has not passed, unless a ring failed. */
export function openRing(views: readonly RingView[]): number | null {
  for (const v of views) {
    if (v.state === "passed") continue;
    if (v.state === "failed" || v.state === "cancelled") return null;
    return v.index;
  }
  return null;
}

/** The first failed ring, if any. */
export function failedRing(views: readonly RingView[]): RingView | null {
  return views.find((v) => v.state === "failed") ?? null;
}
