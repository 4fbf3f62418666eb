import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { AgentMessage, RebootOutcome } from "@fleetgate/contract/agent";
import { z } from "zod";
import type { CommandStore, ResultFrame } from "../command-store";
import type { RebootConfig } from "../config";
import { writeFileDurable } from "../fs-atomic";
import type { Logger } from "../log";
import { readBootInfo } from "./boot-info";

/** reboot-pending.json: what the agent expects to see after the reboot it is about to cause. */
const PendingReboot = z.object({
  command_id: z.string().min(1).max(64),
  boot_id_before: z.string().min(1).max(64),
  kernel_before: z.string().max(255),
  requested_at: z.number().int(),
  /** The command's report so far (an apply's report, or `{ok, error, reboot: null}`); `reboot` is added after the boot. */
  report: z.record(z.string(), z.unknown()),
});
type PendingReboot = z.infer<typeof PendingReboot>;

/** What waiting for the reboot came to: the agent stops before the host goes down (deferred), or it did not reboot. */
export type RebootStep = { state: "deferred" } | { state: "failed"; error: string };

/** The part of the command runner a reboot needs: no other command runs while it waits and reboots. */
export interface CommandHold {
  holdFor(commandId: string, signal?: AbortSignal): Promise<void>;
  release(): void;
}

export interface RebooterOptions {
  config: RebootConfig;
  stateDir: string;
  logger: Logger;
  send: (frame: AgentMessage) => Promise<boolean>;
  hold: () => CommandHold;
  /** How long the server has to confirm the host's `rebooting` state (production 30 s). */
  confirmTimeoutMs?: number;
  /** How long the reboot command itself may run. */
  commandTimeoutMs?: number;
}

const PENDING_FILE = "reboot-pending.json";
const NOT_ENABLED = "rebooting is not enabled in this agent's config (reboot.enabled)";

/**
 * Reboots for a command (docs/patching.md "Reboots"): waits until no other command runs and takes
 * no new one; records the command, boot id and kernel in `reboot-pending.json`; tells the server
 * (`rebooting`) and reboots only once it confirmed that the job stored the host as `rebooting`;
 * then runs the configured reboot command. The command's result is written after the boot
 * (`resumeAfterBoot`), with the new boot id and kernel.
 */
export class Rebooter {
  private readonly confirmations = new Map<string, (confirmed: boolean) => void>();

  constructor(private readonly options: RebooterOptions) {}

  get enabled(): boolean {
    return this.options.config.enabled;
  }

  /** Why a reboot cannot happen (null: it can). */
  get disabledReason(): string | null {
    return this.enabled ? null : NOT_ENABLED;
  }

  private get log(): Logger {
    return this.options.logger;
  }

  /** `reboot_confirmed` from the server. */
  onConfirmed(commandId: string, confirmed: boolean): void {
    this.confirmations.get(commandId)?.(confirmed);
  }

  /**
   * Reboots the host for `commandId`. `report` is the command's report so far. Resolves
   * `deferred` when `stop` aborts after the reboot command ran (the agent is being stopped by the
   * shutdown; the result follows after the boot), or `failed` (nothing rebooted, or the host was
   * still up `giveUpMs` after the reboot command).
   */
  async reboot(
    commandId: string,
    report: Record<string, unknown>,
    giveUpMs: number,
    stop: AbortSignal,
  ): Promise<RebootStep> {
    if (!this.enabled) return { state: "failed", error: NOT_ENABLED };
    const hold = this.options.hold();
    try {
      await hold.holdFor(commandId, stop);
    } catch {
      hold.release();
      return { state: "failed", error: `${String(stop.reason ?? "stopped")} before rebooting` };
    }
    const before = await readBootInfo(this.options.config.bootIdFile);
    if (!before) {
      hold.release();
      return { state: "failed", error: `cannot read the boot id (${this.options.config.bootIdFile}); not rebooting` };
    }
    const pending: PendingReboot = {
      command_id: commandId,
      boot_id_before: before.boot_id,
      kernel_before: before.kernel,
      requested_at: Date.now(),
      report,
    };
    await writeFileDurable(this.pendingFile, JSON.stringify(pending), 0o600);
    const abandon = async (error: string): Promise<RebootStep> => {
      await rm(this.pendingFile, { force: true });
      hold.release();
      this.log.warn("not rebooting", { command_id: commandId, error });
      return { state: "failed", error };
    };
    const confirmed = await this.confirm(commandId, before.boot_id, before.kernel, stop);
    if (confirmed !== true) {
      return abandon(
        confirmed === false
          ? "the server did not accept the host's rebooting state (the job no longer runs); not rebooting"
          : confirmed === "stopped"
            ? `${String(stop.reason ?? "stopped")} before rebooting`
            : "the server did not confirm the host's rebooting state; not rebooting",
      );
    }
    this.log.info("rebooting the host", {
      command_id: commandId,
      boot_id: before.boot_id,
      kernel: before.kernel,
      command: this.options.config.command[0],
    });
    const ran = await this.runRebootCommand();
    if (ran !== null) return abandon(ran);
    // The host goes down now; systemd stops the agent first (stop → deferred). If it is still up
    // long after, the reboot did not happen: give up so the agent takes commands again.
    return new Promise<RebootStep>((resolve) => {
      const timer = setTimeout(() => {
        stop.removeEventListener("abort", onStop);
        void abandon(`the host did not reboot within ${Math.round(giveUpMs / 1000)} s of the reboot command`).then(
          resolve,
        );
      }, giveUpMs);
      timer.unref();
      const onStop = () => {
        clearTimeout(timer);
        resolve({ state: "deferred" });
      };
      if (stop.aborted) onStop();
      else stop.addEventListener("abort", onStop, { once: true });
    });
  }

  private get pendingFile(): string {
    return path.join(this.options.stateDir, PENDING_FILE);
  }

  /** Sends `rebooting` and waits for `reboot_confirmed`: true/false as the server said, "timeout", or "stopped". */
  private confirm(
    commandId: string,
    bootId: string,
    kernel: string,
    stop: AbortSignal,
  ): Promise<boolean | "timeout" | "stopped"> {
    return new Promise((resolve) => {
      const finish = (v: boolean | "timeout" | "stopped") => {
        clearTimeout(timer);
        stop.removeEventListener("abort", onStop);
        this.confirmations.delete(commandId);
        resolve(v);
      };
      const onStop = () => finish("stopped");
      const timer = setTimeout(() => finish("timeout"), this.options.confirmTimeoutMs ?? 30_000);
      this.confirmations.set(commandId, finish);
      stop.addEventListener("abort", onStop, { once: true });
      void this.options
        .send({ type: "rebooting", command_id: commandId, boot_id: bootId, kernel: kernel.slice(0, 255) })
        .then((sent) => {
          if (!sent) finish("timeout");
        });
    });
  }

  /** Runs the configured reboot command (argv, no shell); null when it exited 0, else why not. */
  private runRebootCommand(): Promise<string | null> {
    const [file, ...args] = this.options.config.command;
    if (!file) return Promise.resolve("no reboot command configured");
    return new Promise((resolve) => {
      execFile(
        file,
        args,
        {
          timeout: this.options.commandTimeoutMs ?? 60_000,
          env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
          maxBuffer: 64 * 1024,
        },
        (error, _stdout, stderr) => {
          if (!error) return resolve(null);
          const code = (error as { code?: unknown }).code;
          const detail = String(stderr).trim().slice(0, 500) || error.message.slice(0, 500);
          resolve(`the reboot command failed (${typeof code === "number" ? `exit ${code}` : String(code)}): ${detail}`);
        },
      );
    });
  }
}

/**
 * At agent start, before anything is sent: if a reboot was pending, its command's result is
 * decided now from the boot id — a different one completes it (exit 0, `reboot` with the new boot
 * id and kernel), the same one fails it ("the host did not reboot"). Returns the command id, or
 * null when no reboot was pending.
 */
export async function resumeAfterBoot(
  stateDir: string,
  store: CommandStore,
  bootIdFile: string,
  logger: Logger,
): Promise<string | null> {
  const file = path.join(stateDir, PENDING_FILE);
  let pending: PendingReboot;
  try {
    const parsed = PendingReboot.safeParse(JSON.parse(await readFile(file, "utf8")));
    if (!parsed.success) {
      logger.warn("ignoring an unreadable reboot-pending.json");
      await rm(file, { force: true });
      return null;
    }
    pending = parsed.data;
  } catch {
    return null;
  }
  const entry = store.get(pending.command_id);
  const now = await readBootInfo(bootIdFile);
  if (entry && (entry.state === "running" || (!entry.delivered && entry.result?.error === "interrupted"))) {
    const rebooted = now !== null && now.boot_id !== pending.boot_id_before;
    const outcome: RebootOutcome = {
      rebooted,
      boot_id_before: pending.boot_id_before,
      kernel_before: pending.kernel_before,
      boot_id: now?.boot_id ?? pending.boot_id_before,
      kernel: now?.kernel ?? pending.kernel_before,
      booted_at: now?.booted_at ?? 0,
      requested_at: pending.requested_at,
    };
    const error = rebooted
      ? null
      : now === null
        ? `cannot read the boot id (${bootIdFile}) after the reboot`
        : "the host did not reboot (the boot id is unchanged)";
    const reportOk = pending.report.ok !== false;
    const result: ResultFrame = {
      type: "result",
      command_id: pending.command_id,
      exit_code: rebooted && reportOk ? 0 : 1,
      error,
      stdout: JSON.stringify({ ...pending.report, ...(error ? { ok: false, error } : {}), reboot: outcome }),
      stderr: error ?? "",
      truncated: false,
      started_at: entry.received_at,
      finished_at: Date.now(),
    };
    await store.finish(entry, result);
    logger.info(rebooted ? "back after the reboot" : "the reboot did not happen", {
      command_id: pending.command_id,
      boot_id_before: pending.boot_id_before,
      boot_id: outcome.boot_id,
      kernel: outcome.kernel,
    });
  }
  await rm(file, { force: true });
  return pending.command_id;
}
