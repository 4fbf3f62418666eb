import type { AgentMessage, ErrorThreshold, JobHostStatus, JobStatus } from "@fleetgate/contract";

/**
 * The pure parts of the job state machine (docs/jobs.md):
 *
 *   job:  queued → running → succeeded | failed | cancelled
 *   host: pending → dispatched → running → succeeded | failed | timed_out | cancelled | offline_expired
 *
 * A host leaves `pending` when its wave is dispatched, `dispatched` when the
 * agent acknowledges the command, and ends with the agent's result, its
 * deadline (timed_out), a cancel, or the expiry of its queued command while
 * the host was offline (offline_expired). Terminal states never change.
 */

type AgentResult = Extract<AgentMessage, { type: "result" }>;

/** Per-host output kept in D1 (and the JobRun); anything longer goes to R2 in full. */
export const PREVIEW_BYTES = 64 * 1024;

/** Extra time past a host's timeout before the JobRun gives up on its result (agent kill + drain ≈ 7 s). */
export const RESULT_GRACE_MS = 15_000;

/** What an agent's result means for the host. */
export function hostOutcome(r: AgentResult): { status: JobHostStatus; exitCode: number | null; error: string | null } {
  switch (r.error) {
    case null:
      return { status: r.exit_code === 0 ? "succeeded" : "failed", exitCode: r.exit_code, error: null };
    case "timed_out":
      return { status: "timed_out", exitCode: r.exit_code, error: "timed_out" };
    case "cancelled":
      return { status: "cancelled", exitCode: r.exit_code, error: "cancelled" };
    case "expired":
      return { status: "offline_expired", exitCode: null, error: "expired" };
    default:
      return { status: "failed", exitCode: r.exit_code, error: r.error };
  }
}

/** Failures that count against the error threshold. */
export const FAILURE_STATUSES: ReadonlySet<JobHostStatus> = new Set(["failed", "timed_out", "offline_expired"]);

/** "Stop when more than N, or more than N %, of the hosts failed." */
export function thresholdExceeded(t: ErrorThreshold | null, failures: number, hostCount: number): boolean {
  if (!t) return false;
  return t.kind === "count" ? failures > t.value : failures * 100 > t.value * hostCount;
}

/** The job's final status once every host is terminal. */
export function finalStatus(counts: Partial<Record<JobHostStatus, number>>, cancelRequested: boolean): JobStatus {
  if (cancelRequested) return "cancelled";
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  return (counts.succeeded ?? 0) === total ? "succeeded" : "failed";
}

/** The first `maxBytes` of `text` in UTF-8, cut at a character boundary. */
export function preview(text: string, maxBytes = PREVIEW_BYTES): { text: string; truncated: boolean } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let end = maxBytes;
  // Never split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: new TextDecoder().decode(bytes.subarray(0, end)), truncated: true };
}
