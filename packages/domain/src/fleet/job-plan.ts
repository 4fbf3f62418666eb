import { JobOptions, type JobPlan } from "@fleetgate/contract";
import type { JobHostRow, JobRow } from "./jobs.query";

/** What a job remembers about how it was submitted (the zod schema lives in the contract). */
export type { JobOptions } from "@fleetgate/contract";

/** A job's options, parsed (never cast) from the stored JSON. */
export function jobOptionsOf(job: Pick<JobRow, "options">): JobOptions {
  return JobOptions.parse(job.options);
}

/** 16 lowercase hex characters from 8 random bytes (ctrl-exec.md §6). */
export function newReqid(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** The plan a JobRun executes, from the job and its host rows (so a lost start can be replayed from D1). */
export function planOf(job: JobRow, rows: Pick<JobHostRow, "hostId" | "hostName" | "id">[]): JobPlan {
  const o = jobOptionsOf(job);
  return {
    job_id: job.id,
    reqid: job.reqid,
    script: job.script ?? "",
    args: job.args,
    mode: job.mode,
    timeout_seconds: o.timeout_seconds,
    queue_ttl_seconds: o.queue_ttl_seconds,
    require_online: o.require_online,
    max_parallel: o.max_parallel,
    error_threshold: o.error_threshold,
    hosts: rows.map((r) => ({ host_id: r.hostId, host_name: r.hostName, command_id: r.id })),
  };
}
