import type { RebootReport, Run } from "@fleetgate/contract/agent";
import type { z } from "zod";
import type { ExecOutcome, Execution } from "../executor";
import { inProcessOutcome } from "../in-process-outcome";
import type { Rebooter } from "./rebooter";

/**
 * The `fleetgate-reboot` built-in (job kind `reboot`, args = [job id]): reboots through the
 * Rebooter. Its result is written after the boot (`resumeAfterBoot`); here it ends only when the
 * reboot did not happen (refused, not confirmed, the command failed, cancelled while waiting for
 * other commands) or, deferred, when the agent is stopped by the shutdown.
 */
export function rebootExecution(run: z.infer<typeof Run>, rebooter: Rebooter): Execution {
  const stop = new AbortController();
  const startedAt = Date.now();
  const failed = (error: string): ExecOutcome => {
    const report: RebootReport = { ok: false, error, reboot: null };
    return inProcessOutcome(startedAt, 1, JSON.stringify(report), error);
  };
  const done = (async (): Promise<ExecOutcome> => {
    const [jobId] = run.args;
    if (!jobId || run.args.length !== 1 || !/^[\w-]{1,64}$/.test(jobId)) return failed("invalid reboot arguments");
    const disabled = rebooter.disabledReason;
    if (disabled) return failed(disabled);
    const report: RebootReport = { ok: true, error: null, reboot: null };
    const step = await rebooter.reboot(run.command_id, report, run.timeout_seconds * 1000, stop.signal);
    if (step.state === "deferred") return { ...failed(""), exit_code: null, deferred: true };
    return failed(step.error);
  })();
  return { done, stop: (reason) => stop.abort(reason) };
}
