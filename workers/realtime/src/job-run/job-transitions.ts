import {
  ALLOW_REBOOT_ARG,
  type HostRebooting,
  type HostReport,
  type JobHostStatus,
  type JobPlan,
  PATCH_APPLY_COMMAND,
  REBOOT_COMMAND,
  TERMINAL_HOST_STATUSES,
} from "@fleetgate/contract";
import { logAt } from "@fleetgate/domain";
import { hostOutcome, RESULT_GRACE_MS } from "../job-state";
import type { JobEvents } from "./job-events";
import type { HostPatch, HostRow } from "./job-run.types";
import type { JobStore } from "./job-store";
import type { JobWriteBack } from "./job-writeback";
import { REBOOT_TIMED_OUT, rebootVerdict } from "./reboot-verdict";

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
      case "result":
        return this.result(host, report, plan);
    }
  }

  /**
   * An ack and the result right behind it (one batch from the channel) on a host still
   * `dispatched`: one transition to the end, with the ack's time as `acked_at` — the row ends as
   * the two applied in turn would leave it, without the intermediate `running` write and event.
   */
  async ackAndResult(
    host: HostRow,
    ack: Extract<HostReport, { type: "ack" }>,
    result: Extract<HostReport, { type: "result" }>,
    plan: JobPlan,
  ): Promise<boolean> {
    if (host.status !== "dispatched") return false;
    return this.result(host, result, plan, ack.at);
  }

  private async result(
    host: HostRow,
    report: Extract<HostReport, { type: "result" }>,
    plan: JobPlan,
    ackedAt?: number,
  ): Promise<boolean> {
    const r = report.result;
    const plain = hostOutcome(r);
    // A host that rebooted for its command succeeds only with a new boot id (reboot-verdict.ts).
    const outcome =
      host.stage === "rebooting" ? { ...plain, ...rebootVerdict(plain, r.stdout, host.boot_id_before) } : plain;
    if (!TERMINAL_HOST_STATUSES.has(host.status)) {
      const out = await this.writeBack.storeOutput(plan.job_id, host.host_id, r.stdout, r.stderr);
      this.endHost(
        host,
        {
          status: outcome.status,
          exit_code: outcome.exitCode,
          error: outcome.error,
          ...out,
          ...(ackedAt !== undefined ? { acked_at: ackedAt } : {}),
          started_at: r.started_at ?? ackedAt ?? host.started_at,
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

  /**
   * The agent is about to reboot for the host's command: the host is stored as rebooting (still
   * `running` here, shown `rebooting`) with the boot it reboots from; false (the agent must not
   * reboot) when the host or the job no longer runs.
   */
  rebooting(host: HostRow, report: HostRebooting, plan: JobPlan): boolean {
    if (host.status !== "dispatched" && host.status !== "running") return false;
    // Only a reboot job, or a patch apply whose job allows reboots, may reboot the host.
    const args = plan.hosts.find((h) => h.command_id === host.command_id)?.args ?? plan.args;
    const allowed =
      plan.script === REBOOT_COMMAND || (plan.script === PATCH_APPLY_COMMAND && args.includes(ALLOW_REBOOT_ARG));
    if (!allowed) return false;
    if (host.stage === "rebooting") return host.boot_id_before === report.boot_id;
    const acked =
      host.status === "dispatched"
        ? {
            status: "running" as const,
            acked_at: report.at,
            started_at: report.at,
            deadline: Math.min(
              host.deadline ?? Number.MAX_SAFE_INTEGER,
              report.at + plan.timeout_seconds * 1000 + RESULT_GRACE_MS,
            ),
          }
        : {};
    this.store.updateHost(host.command_id, {
      ...acked,
      stage: "rebooting",
      boot_id_before: report.boot_id,
      kernel_before: report.kernel,
    });
    this.events.host({ ...host, status: "rebooting" });
    logAt(this.logLevel, "info", `REQID=${plan.reqid} HOST=${host.host_name} rebooting`, {
      reqid: plan.reqid,
      command_id: host.command_id,
      boot_id: report.boot_id,
      kernel: report.kernel,
    });
    return true;
  }

  /** Ends the hosts whose deadline passed without a result (`timed_out`); returns them. */
  timeOutLate(now: number, plan: JobPlan): HostRow[] {
    const late = this.store.hostsWhere(
      "status IN ('dispatched', 'running') AND deadline IS NOT NULL AND deadline <= ?",
      now,
    );
    for (const h of late) {
      this.endHost(
        h,
        { status: "timed_out", error: h.stage === "rebooting" ? REBOOT_TIMED_OUT : "timed_out" },
        now,
        plan,
      );
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
