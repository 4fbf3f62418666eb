import type { Run } from "@fleetgate/contract/agent";
import type { z } from "zod";
import type { CommandRunner } from "../commands";
import type { ExecOutcome, Execution } from "../executor";
import { inProcessOutcome } from "../in-process-outcome";
import type { SelfUpgrader } from "./self-upgrade";

/**
 * The `fleetgate-self-upgrade` built-in: waits until no other command runs (and takes no new
 * one), swaps the executable, reports, then `afterSwap` restarts the agent once the result has
 * been recorded and sent. Cancel works while it waits; once the download started it finishes.
 */
export function selfUpgradeExecution(
  run: z.infer<typeof Run>,
  deps: { upgrader: SelfUpgrader; runner: () => CommandRunner; afterSwap: () => void },
): Execution {
  const waiting = new AbortController();
  let swapping = false;
  let stopReason: "cancelled" | "interrupted" = "cancelled";
  const done = (async (): Promise<ExecOutcome> => {
    const startedAt = Date.now();
    const runner = deps.runner();
    try {
      await runner.holdFor(run.command_id, waiting.signal);
    } catch {
      runner.release();
      return {
        ...inProcessOutcome(startedAt, 1, "", `${stopReason} while waiting for other commands`, stopReason),
        exit_code: null,
      };
    }
    swapping = true;
    try {
      const report = await deps.upgrader.install(run.args);
      if (report.status === "swapped") setTimeout(deps.afterSwap, 0);
      else runner.release();
      return inProcessOutcome(startedAt, 0, JSON.stringify(report), "", null);
    } catch (error) {
      runner.release();
      return inProcessOutcome(startedAt, 1, "", error instanceof Error ? error.message : String(error), null);
    }
  })();
  return {
    done,
    stop: (reason) => {
      if (swapping) return;
      stopReason = reason;
      waiting.abort(reason);
    },
  };
}
