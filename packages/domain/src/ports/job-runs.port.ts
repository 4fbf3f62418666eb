import type { HostRebooting, HostReport, JobHostStatus, JobPlan, JobStatus } from "@fleetgate/contract";
import { logAt } from "../log";
import { jobRunStub } from "./durable-objects";

/** A host of a job as the faces see it while waiting (no output: that is read from D1/R2). */
export interface HostProgress {
  host_id: string;
  host_name: string;
  command_id: string;
  status: JobHostStatus;
  delivery: "sent" | "queued" | null;
  error: string | null;
  dispatched_at: number | null;
  acked_at: number | null;
  completed_at: number | null;
}

/** A job's progress as its JobRun reports it. */
export interface JobProgress {
  found: boolean;
  status: JobStatus | null;
  complete: boolean;
  hosts: HostProgress[];
}

export interface CancelOutcome {
  ok: boolean;
  status: JobStatus | null;
}

/** Job runs (one JobRun Durable Object per job): start, cancel, wait, read state. */
export interface JobRunsPort {
  /** Starts a job's run (idempotent); undefined when it could not be started (the job stays `queued`). */
  start(plan: JobPlan): Promise<JobProgress | undefined>;
  cancel(jobId: string): Promise<CancelOutcome>;
  /** Waits at most `timeoutMs` for the job to complete (or, `acks`, for every agent to acknowledge). */
  wait(jobId: string, timeoutMs: number, until: "complete" | "acks"): Promise<JobProgress | undefined>;
  progress(jobId: string): Promise<JobProgress>;
  /** A HostChannel's report (ack, result, queue expiry) to the command's job; throws when not delivered. */
  report(jobId: string, report: HostReport): Promise<void>;
  /** Several reports of one HostChannel to the same job, in order, in one call; throws when not delivered. */
  reportMany(jobId: string, reports: HostReport[]): Promise<void>;
  /** The agent is about to reboot for a command of the job: true once the JobRun stored the host as rebooting. */
  rebooting(jobId: string, report: HostRebooting): Promise<boolean>;
}

/** The JobRun binding behind the port. */
export function jobRunsPort(ns: Env["JOBS"], logLevel: string | undefined): JobRunsPort {
  const stub = (jobId: string) => jobRunStub(ns, jobId);
  return {
    async start(plan) {
      // One retry covers a Durable Object reset during the call.
      for (let attempt = 1; ; attempt++) {
        try {
          return await stub(plan.job_id).start(plan);
        } catch (err) {
          if (attempt >= 2) {
            // The job stays `queued` in D1; the next read of it re-launches it (relaunchIfStuck).
            logAt(logLevel, "error", `REQID=${plan.reqid} could not start the job`, {
              reqid: plan.reqid,
              error: String(err),
            });
            return undefined;
          }
        }
      }
    },
    cancel: (jobId) => stub(jobId).cancel(),
    async wait(jobId, timeoutMs, until) {
      // The wait is held by the JobRun (alarm-driven); if that object is reset meanwhile
      // the RPC fails and we wait again on the fresh instance, which resumes from storage.
      const deadline = Date.now() + timeoutMs;
      let last: JobProgress | undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        const remaining = Math.max(0, deadline - Date.now());
        try {
          const s = stub(jobId);
          last = until === "complete" ? await s.waitForCompletion(remaining) : await s.waitForAcks(remaining);
          return last;
        } catch (err) {
          logAt(logLevel, "warn", "waiting on JobRun failed; retrying", { job_id: jobId, error: String(err) });
          if (remaining === 0) return last;
        }
      }
      return last;
    },
    progress: (jobId) => stub(jobId).progress(),
    async report(jobId, report) {
      await stub(jobId).report(report);
    },
    async reportMany(jobId, reports) {
      await stub(jobId).reportMany(reports);
    },
    async rebooting(jobId, report) {
      return (await stub(jobId).hostRebooting(report)).confirmed;
    },
  };
}
