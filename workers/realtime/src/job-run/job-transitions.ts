import { type HostReport, type JobHostStatus, type JobPlan, TERMINAL_HOST_STATUSES } from "@fleetgate/contract";
import { logAt } from "@fleetgate/domain";
import { hostOutcome, RESULT_GRACE_MS } from "../job-state";
import type { JobEvents } from "./job-events";
import type { HostPatch, HostRow } from "./job-run.types";
import type { JobStore } from "./job-store";
import type { JobWriteBack } from "./job-writeback";

/**
 * A host's transitions within its job: what a HostChannel's report (ack, result,
 * queue expiry) does to the host, and a host's end (terminal state) with its
 * event and log line. Every change is written to the JobRun's store first.
 */
export class JobTransitions {
  constructor(
    private readonly store: JobStore,
    private readonly events: JobEvents,
    private readonly writeBack: JobWriteBack,
    private readonly logLevel: string | undefined,
  ) {}

  /** Applies a report to its host; false when it changes nothing (idempotent by command id). */
  async apply(host: HostRow, report: HostReport, plan: JobPlan): Promise<boolean> {
    switch (report.type) {
      case "ack":
        if (host.status !== "dispatched") return false;
        this.store.updateHost(
          host.command_id,
          {
            status: "running",
            acked_at: report.at,
            started_at: report.at,
            deadline: Math.min(
              host.deadline ?? Number.MAX_SAFE_INTEGER,
              report.at + plan.timeout_seconds * 1000 + RESULT_GRACE_MS,
            ),
          },
          host.status,
        );
        this.events.host({ ...host, status: "running" });
        return true;
      case "expired":
        if (host.status !== "dispatched") return false;
        this.endHost(host, { status: "offline_expired", error: "host offline" }, report.at, plan);
        return true;
      case "result": {
        const r = report.result;
        const outcome = hostOutcome(r);
        if (!TERMINAL_HOST_STATUSES.has(host.status)) {
          const out = await this.writeBack.storeOutput(plan.job_id, host.host_id, r.stdout, r.stderr);
          this.endHost(
            host,
            {
              status: outcome.status,
              exit_code: outcome.exitCode,
              error: outcome.error,
              ...out,
              started_at: r.started_at ?? host.started_at,
            },
            report.at,
            plan,
          );
          return true;
        }
        if (host.status === "cancelled" && host.exit_code === null && host.stdout === "" && host.stderr === "") {
          // Cancelled here first; keep what the script printed before it was stopped.
          const out = await this.writeBack.storeOutput(plan.job_id, host.host_id, r.stdout, r.stderr);
          this.store.updateHost(host.command_id, { exit_code: outcome.exitCode, ...out });
          return true;
        }
        return false;
      }
    }
  }

  /** Ends the hosts whose deadline passed without a result (`timed_out`); returns them. */
  timeOutLate(now: number, plan: JobPlan): HostRow[] {
    const late = this.store.hostsWhere(
      "status IN ('dispatched', 'running') AND deadline IS NOT NULL AND deadline <= ?",
      now,
    );
    for (const h of late) {
      this.endHost(h, { status: "timed_out", error: "timed_out" }, now, plan);
      logAt(this.logLevel, "warn", `REQID=${plan.reqid} HOST=${h.host_name} no result before the deadline`, {
        reqid: plan.reqid,
        command_id: h.command_id,
      });
    }
    return late;
  }

  /** Ends a host (terminal state), publishes it, and logs the ctrl-exec style line. */
  endHost(h: HostRow, patch: HostPatch & { status: JobHostStatus }, at: number, plan: JobPlan): void {
    this.store.updateHost(h.command_id, { ...patch, completed_at: at, deadline: null }, h.status);
    this.events.host({ ...h, ...patch });
    const exit = patch.exit_code !== undefined && patch.exit_code !== null ? ` EXIT=${patch.exit_code}` : "";
    logAt(this.logLevel, "info", `REQID=${plan.reqid} HOST=${h.host_name} STATUS=${patch.status}${exit}`, {
      reqid: plan.reqid,
      command_id: h.command_id,
      error: patch.error ?? null,
    });
  }
}
