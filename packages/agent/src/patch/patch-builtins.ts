import {
  decodePlanArgs,
  decodeRemoveArgs,
  PATCH_APPLY_COMMAND,
  PATCH_REMOVE_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type Run,
} from "@fleetgate/contract/agent";
import type { z } from "zod";
import type { PatchingConfig } from "../config";
import type { Execution } from "../executor";
import { inProcessOutcome } from "../in-process-outcome";
import type { Logger } from "../log";
import type { Rebooter } from "../reboot/rebooter";
import { type BuiltinOutcome, reportOutcome } from "./builtin-outcome";
import { gatedApply } from "./gated-apply";
import type { HealthGate } from "./health-gate";
import type { PackageBackend } from "./package-backend";

type AgentRun = z.infer<typeof Run>;

/** What the built-in commands run with. */
export interface PatchBuiltinsDeps {
  config: PatchingConfig;
  backend: PackageBackend;
  gate: HealthGate;
  logger: Logger;
  /** Reboots after an apply that allows them (absent: such an apply never reboots and says why). */
  rebooter?: Rebooter;
  /** After every run, whatever its outcome (the inventory is reported). */
  afterRun: () => void;
}

/**
 * The built-in commands: apply a pinned plan or remove packages (vault first), and roll a job
 * back from the vault.
 * Their result's stdout is the JSON report; they are never interrupted (dpkg must not be
 * killed mid-run): cancel and shutdown let them finish. Afterwards `afterRun` is called.
 */
export function patchBuiltins(deps: PatchBuiltinsDeps): Map<string, (run: AgentRun) => Execution> {
  const { backend } = deps;
  return new Map([
    [
      PATCH_APPLY_COMMAND,
      (run: AgentRun) =>
        execution(deps, async (stop) => {
          const decoded = decodePlanArgs(run.args);
          if (!decoded) return { ok: false, json: "", error: "invalid patch plan in the command's arguments" };
          const applied = decoded.gate
            ? await gatedApply(backend, deps.gate, decoded.jobId, decoded.plan)
            : reportOutcome(await backend.apply(decoded.jobId, decoded.plan));
          return decoded.allowReboot ? rebootIfRequired(deps, run, applied, stop) : applied;
        }),
    ],
    [
      PATCH_REMOVE_COMMAND,
      (run: AgentRun) =>
        execution(deps, async () => {
          const decoded = decodeRemoveArgs(run.args);
          if (!decoded) return { ok: false, json: "", error: "invalid package list in the command's arguments" };
          return reportOutcome(await backend.remove(decoded.jobId, decoded.items));
        }),
    ],
    [
      PATCH_ROLLBACK_COMMAND,
      (run: AgentRun) =>
        execution(deps, async () => {
          const [jobId] = run.args;
          if (!jobId || run.args.length !== 1 || !/^[\w-]{1,64}$/.test(jobId)) {
            return { ok: false, json: "", error: "invalid rollback arguments" };
          }
          return reportOutcome(await backend.rollback(jobId));
        }),
    ],
  ]);
}

/**
 * `allow_reboot` (docs/patching.md "Reboots"): after a successful apply, reboot when the host
 * now requires it — through the Rebooter, which stores the expectation and waits for the server
 * to record the host as `rebooting`. The result (the apply report plus `reboot`) follows after
 * the boot. A failed apply, or one that needs no reboot, is returned as it is.
 */
async function rebootIfRequired(
  deps: PatchBuiltinsDeps,
  run: AgentRun,
  applied: BuiltinOutcome,
  stop: AbortSignal,
): Promise<BuiltinOutcome> {
  if (!applied.ok) return applied;
  const report = JSON.parse(applied.json) as Record<string, unknown>;
  if (report.reboot_required !== true) return applied;
  const skipped = deps.rebooter?.disabledReason ?? (deps.rebooter ? null : "no rebooter");
  if (skipped !== null || !deps.rebooter) {
    deps.logger.warn("the host requires a reboot, but rebooting is not enabled", { reason: skipped });
    return { ...applied, json: JSON.stringify({ ...report, reboot_skipped: skipped }) };
  }
  const step = await deps.rebooter.reboot(run.command_id, report, run.timeout_seconds * 1000, stop);
  if (step.state === "deferred") return { ok: true, json: "", error: null, deferred: true };
  const error = `the packages were applied, but the reboot did not happen: ${step.error}`;
  return { ok: false, json: JSON.stringify({ ...report, ok: false, error }), error };
}

/** A built-in as an Execution: refused when patching is off, never interrupted, `afterRun` at the end. */
function execution(deps: PatchBuiltinsDeps, work: (stop: AbortSignal) => Promise<BuiltinOutcome>): Execution {
  const stopped = new AbortController();
  const startedAt = Date.now();
  const outcome = (exit: number, stdout: string, stderr: string) => inProcessOutcome(startedAt, exit, stdout, stderr);
  const done = (async () => {
    if (!deps.config.enabled) return outcome(1, "", "patching is not enabled on this agent");
    try {
      const r = await work(stopped.signal);
      if (r.deferred) return { ...outcome(1, "", ""), exit_code: null, deferred: true };
      return outcome(r.exit ?? (r.ok ? 0 : 1), r.json, r.error ?? "");
    } catch (error) {
      return outcome(1, "", error instanceof Error ? error.message : String(error));
    } finally {
      deps.afterRun();
    }
  })();
  return {
    done,
    stop: (reason) => {
      // The package change itself is never interrupted; only a reboot still waiting to happen is given up.
      deps.logger.warn("a patch run is never interrupted; it continues", { reason });
      stopped.abort(reason);
    },
  };
}
