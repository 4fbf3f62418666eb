import type { HostStatusBody, RunResultBody } from "@fleetgate/contract";
import { type JobHostRow, type JobRow, jobOptionsOf } from "@fleetgate/domain";
import type { Bindings } from "../../context";

/**
 * How a job's per-host rows read on the ctrl-exec face (ctrl-exec.md §5).
 * `exit`: the script's status; 126 when it could not be executed or was
 * killed by a signal; -1 with `error` for everything that failed on our side
 * of the agent (offline, no answer in time, cancelled, refused).
 */

/** ctrl-exec's per-host read timeout (`read_timeout`, 60 s): a sync /run waits this long per host. */
export const READ_TIMEOUT_SECONDS = 60;

export const rtt = (ms: number) => `${Math.max(0, Math.round(ms))}ms`;
export const unix = (ms: number) => Math.floor(ms / 1000);

const NOT_ALLOWLISTED = "script not allowlisted on this host";

/** The full output of a host (R2 when it was longer than the preview kept in D1). */
export async function fullOutput(env: Bindings, row: JobHostRow): Promise<{ stdout: string; stderr: string }> {
  if (!row.outputKey) return { stdout: row.stdout, stderr: row.stderr };
  const [out, err] = await Promise.all([
    env.EXPORTS.get(`${row.outputKey}.stdout`),
    env.EXPORTS.get(`${row.outputKey}.stderr`),
  ]);
  return { stdout: out ? await out.text() : row.stdout, stderr: err ? await err.text() : row.stderr };
}

/** A per-host entry of a sync `/run` answer (and of a sync `/status` record). */
export function syncResult(
  job: JobRow,
  row: JobHostRow,
  out: { stdout: string; stderr: string },
  extra: { reportedHostname?: string | null; elapsedMs: number; dispatchedAt?: number | null },
): RunResultBody {
  const timeout = jobOptionsOf(job).timeout_seconds ?? READ_TIMEOUT_SECONDS;
  const took = row.completedAt !== null && extra.dispatchedAt ? row.completedAt - extra.dispatchedAt : extra.elapsedMs;
  const base = { host: row.hostName, script: job.script ?? "" };
  const tail = {
    rtt: rtt(took),
    reqid: job.reqid,
    ...(extra.reportedHostname && extra.reportedHostname !== row.hostName
      ? { reported_hostname: extra.reportedHostname }
      : {}),
  };
  const failure = (error: string, withOutput = true): RunResultBody => ({
    ...base,
    exit: -1,
    error,
    ...(withOutput ? { stdout: out.stdout, stderr: out.stderr } : {}),
    ...tail,
  });
  switch (row.status) {
    case "succeeded":
    case "failed":
      if (row.error === null || row.error === "spawn_failed") {
        return { ...base, exit: row.exitCode ?? 126, stdout: out.stdout, stderr: out.stderr, ...tail };
      }
      if (row.error === "not_allowlisted") return failure(NOT_ALLOWLISTED, false);
      return failure(row.error);
    case "timed_out":
      return failure(`read timeout after ${timeout}s`);
    case "cancelled":
      return failure(row.error === "cancelled" || !row.error ? "cancelled" : row.error);
    case "offline_expired":
      return failure("host offline", false);
    default:
      return failure(`read timeout after ${timeout}s`, false);
  }
}

/** A host's entry in an async `/status` record: accepted/running (pending), done, error. */
export function asyncHostStatus(job: JobRow, row: JobHostRow, out: { stdout: string; stderr: string }): HostStatusBody {
  const timeout = jobOptionsOf(job).timeout_seconds ?? READ_TIMEOUT_SECONDS;
  switch (row.status) {
    case "pending":
    case "dispatched":
      return { status: "accepted" };
    case "running":
      return { status: "running" };
    case "succeeded":
    case "failed":
      if (row.error === null || row.error === "spawn_failed") {
        return { status: "done", exit: row.exitCode ?? 126, stdout: out.stdout, stderr: out.stderr };
      }
      if (row.error === "not_allowlisted") return { status: "error", error: NOT_ALLOWLISTED };
      if (row.error === "interrupted") {
        return { status: "done", exit: -1, stdout: out.stdout, stderr: out.stderr, error: "interrupted" };
      }
      return { status: "error", error: row.error };
    case "timed_out":
      return { status: "done", exit: -1, stdout: out.stdout, stderr: out.stderr, error: `timed out after ${timeout}s` };
    case "cancelled":
      return { status: "error", error: row.error && row.error !== "cancelled" ? row.error : "cancelled" };
    case "offline_expired":
      return { status: "error", error: "host offline" };
    default:
      return { status: "error", error: `unknown state ${row.status}` };
  }
}

/** Per-host states that are still pending in ctrl-exec's sense. */
export const isPendingForExec = (h: HostStatusBody) => h.status === "accepted" || h.status === "running";

/** openssl's notAfter text: `Jan 15 12:00:00 2026 GMT` (day space-padded). */
export function opensslDate(ms: number): string {
  const d = new Date(ms);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${month} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}
