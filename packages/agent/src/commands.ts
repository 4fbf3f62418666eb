import type { AgentMessage, Run } from "@fleetgate/contract/agent";
import type { z } from "zod";
import type { CommandStore, ResultFrame, StoredCommand } from "./command-store";
import { type AgentConfig, storedOutputCap } from "./config";
import { type Execution, execute } from "./executor";
import type { Logger } from "./log";
import { fitResultFrame } from "./output";

type RunFrame = z.infer<typeof Run>;
type Entry = Omit<StoredCommand, "state" | "delivered" | "result">;

/** The result of a command that never started. */
function refusal(commandId: string): ResultFrame {
  return {
    type: "result",
    command_id: commandId,
    exit_code: null,
    error: null,
    stdout: "",
    stderr: "",
    truncated: false,
    started_at: null,
    finished_at: Date.now(),
  };
}

/**
 * How long a recorded command may run before its `ack` goes out. A command that ends sooner is
 * answered by its `result` alone (the result implies the ack: docs/agent-protocol.md §4), which
 * spares the server one frame and one report per command on a fleet-wide fan-out.
 */
export const ACK_AFTER_MS = 250;

export interface CommandRunnerOptions {
  config: AgentConfig;
  store: CommandStore;
  logger: Logger;
  /** Sends a frame on the current connection; resolves false when there is none. */
  send: (frame: AgentMessage) => Promise<boolean>;
  /** SIGTERM → SIGKILL grace for timed-out and cancelled commands. */
  killGraceMs?: number;
  /** Built-in commands (patch apply/rollback): run by the agent's own code, never a configured script of that name. */
  builtins?: ReadonlyMap<string, (run: RunFrame) => Execution>;
  /** `ACK_AFTER_MS` unless set (tests). */
  ackAfterMs?: number;
}

/**
 * The command rules of docs/agent-protocol.md: own allowlist only, `expires_at` honoured,
 * each command id recorded on disk before its process starts and never run twice, at most one
 * `ack` (deferred by `ACK_AFTER_MS`, always before any other frame about the command; a result
 * that comes first implies it), results kept until a socket took them.
 */
export class CommandRunner {
  private stopping = false;
  /** Set while a self-upgrade waits for or does its work: new commands are not taken (the server redelivers them). */
  private holding: string | null = null;
  private readonly executions = new Map<string, Execution>();
  private readonly completions = new Set<Promise<void>>();
  /** First `ack` of each command still being accepted: a duplicate's ack waits for it, so acks stay in order. */
  private readonly accepting = new Map<string, Promise<void>>();
  /** Commands whose process ended and whose result is being recorded and sent by their own completion. */
  private readonly completing = new Set<string>();
  /** Recorded commands whose first `ack` has not gone out yet: its timer (`ACK_AFTER_MS`). */
  private readonly unacked = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: CommandRunnerOptions) {}

  /** Ids of results not yet written to a socket (for `hello.completed`). */
  undeliveredIds(): string[] {
    return this.options.store.undelivered().map((c) => c.command_id);
  }

  /** Sends every held result (after `welcome`). */
  async flushUndelivered(): Promise<void> {
    // Commands still being accepted or completed deliver their own result (after their ack): skip them here.
    for (const entry of this.options.store.undelivered()) {
      const id = entry.command_id;
      if (!this.accepting.has(id) && !this.completing.has(id)) await this.deliver(id);
    }
  }

  /** Takes no new commands, stops running ones (`interrupted`) and waits until their results are recorded. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const timer of this.unacked.values()) clearTimeout(timer);
    this.unacked.clear();
    for (const execution of this.executions.values()) execution.stop("interrupted");
    await Promise.allSettled([...this.completions, ...this.accepting.values()]);
    await this.options.store.flush();
  }

  async onRun(run: RunFrame): Promise<void> {
    const { command_id: id, reqid } = run;
    const log = this.options.logger.child({ command_id: id, reqid });
    // While stopping (or holding for an upgrade), take nothing new: without an ack the server delivers it again later.
    if (this.stopping || (this.holding !== null && this.holding !== id)) return;
    const known = this.options.store.get(id);
    if (known) {
      // Never twice: acknowledge as a duplicate and repeat the stored result if there is one.
      log.info(`REQID=${reqid} duplicate delivery; not running again`, { state: known.state });
      await this.accepting.get(id);
      // The first ack (still deferred while the command runs) goes before the duplicate's.
      void this.ackNow(id);
      await this.options.send({ type: "ack", command_id: id, duplicate: true });
      if (known.state === "done") await this.deliver(id);
      return;
    }
    const entry: Entry = {
      command_id: id,
      reqid,
      script: run.script,
      expires_at: run.expires_at,
      received_at: Date.now(),
    };
    const accepted = this.accept(entry, run, log);
    this.accepting.set(id, accepted);
    try {
      await accepted;
    } finally {
      this.accepting.delete(id);
    }
  }

  /** Records the command and starts it (or refuses it); its ack is deferred (`ACK_AFTER_MS`). Resolves once recorded. */
  private async accept(entry: Entry, run: RunFrame, log: Logger): Promise<void> {
    const { command_id: id, reqid } = run;
    const builtin = this.options.builtins?.get(run.script);
    const script = builtin ? undefined : this.options.config.scripts.get(run.script);
    if (!builtin && !script) {
      log.warn(`REQID=${reqid} refused: script not allowlisted`, { script: run.script });
      return this.refuse(entry, "not_allowlisted");
    }
    if (run.expires_at <= Date.now()) {
      log.warn(`REQID=${reqid} refused: command expired`, { expires_at: run.expires_at });
      return this.refuse(entry, "expired");
    }
    // On disk before the process exists: a crash from here on can never lead to a second run.
    await this.options.store.begin(entry);
    if (this.stopping) {
      // stop() began while this was being recorded: it is accepted, so it must end with a result.
      await this.options.store.finish(entry, { ...refusal(id), error: "interrupted" });
      await this.deliver(id);
      return;
    }
    const timeoutSeconds = Math.min(run.timeout_seconds, this.options.config.maxTimeoutSeconds);
    log.info(`REQID=${reqid} running ${run.script}`, {
      script: run.script,
      args: run.args.length,
      timeout_seconds: timeoutSeconds,
      builtin: builtin !== undefined,
    });
    const execution = builtin
      ? builtin(run)
      : script &&
        execute(
          {
            commandId: id,
            reqid,
            script: script.name,
            path: script.path,
            args: [...script.args, ...run.args],
            timeoutMs: timeoutSeconds * 1000,
            streamCapBytes: this.options.config.outputCapBytes,
            storeCapBytes: storedOutputCap(this.options.config),
          },
          {
            killGraceMs: this.options.killGraceMs,
            onOutput: (stream, seq, data) =>
              void this.options.send({ type: "output", command_id: id, stream, seq, data }),
          },
        );
    if (!execution) return;
    this.ackLater(id);
    this.executions.set(id, execution);
    const completion = execution.done
      .then(async (outcome) => {
        this.completing.add(id);
        this.executions.delete(id);
        if (outcome.deferred) {
          // The host is rebooting: the command stays `running` on disk; its result is decided after the boot.
          log.info(`REQID=${reqid} ${run.script}: the host is going down; the result follows after the boot`);
          return;
        }
        const result: ResultFrame = fitResultFrame({
          type: "result",
          command_id: id,
          exit_code: outcome.exit_code,
          error: outcome.error,
          stdout: outcome.stdout,
          stderr: outcome.stderr,
          truncated: outcome.truncated,
          started_at: outcome.started_at,
          finished_at: outcome.finished_at,
        });
        log.info(`REQID=${reqid} finished ${run.script}`, {
          exit_code: outcome.exit_code,
          error: outcome.error,
          signal: outcome.signal,
          truncated: outcome.truncated,
          duration_ms: outcome.started_at === null ? null : outcome.finished_at - outcome.started_at,
        });
        await this.options.store.finish(entry, result);
        await this.deliver(id);
      })
      .catch((error) => log.error(`REQID=${reqid} could not record the result`, { error }))
      .finally(() => {
        this.completing.delete(id);
        this.completions.delete(completion);
      });
    this.completions.add(completion);
  }

  private async refuse(entry: Entry, error: "not_allowlisted" | "expired"): Promise<void> {
    // Answered by the result alone: the result implies the ack.
    await this.options.store.finish(entry, { ...refusal(entry.command_id), error });
    await this.deliver(entry.command_id);
  }

  /** Arms the deferred first ack of a command that started. */
  private ackLater(commandId: string): void {
    const timer = setTimeout(() => void this.ackNow(commandId), this.options.ackAfterMs ?? ACK_AFTER_MS);
    timer.unref();
    this.unacked.set(commandId, timer);
  }

  /** Sends the command's first ack now if it is still deferred (resolves false when there was none to send). */
  private ackNow(commandId: string): Promise<boolean> {
    const timer = this.unacked.get(commandId);
    if (timer === undefined) return Promise.resolve(false);
    clearTimeout(timer);
    this.unacked.delete(commandId);
    return this.options.send({ type: "ack", command_id: commandId, duplicate: false });
  }

  /**
   * Called for every frame the agent sends: a frame about a command whose ack is still deferred
   * (`output`, `rebooting`) is preceded by that ack; its `result` stands for the ack instead.
   */
  beforeFrame(frame: AgentMessage): void {
    if (!("command_id" in frame) || frame.type === "ack") return;
    if (frame.type !== "result") {
      void this.ackNow(frame.command_id);
      return;
    }
    const timer = this.unacked.get(frame.command_id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.unacked.delete(frame.command_id);
  }

  /** Sends the stored result; it stays "undelivered" (and listed in the next hello) until a socket took it. */
  private async deliver(commandId: string): Promise<void> {
    const result = this.options.store.get(commandId)?.result;
    if (!result) return;
    if (await this.options.send(result)) await this.options.store.markDelivered(commandId);
  }

  /**
   * For a self-upgrade (`commandId`): stops taking new commands and resolves once every other
   * command has ended, so the agent never restarts in the middle of one. `release()` undoes it.
   */
  async holdFor(commandId: string, signal?: AbortSignal, pollMs = 500): Promise<void> {
    this.holding = commandId;
    for (;;) {
      if (signal?.aborted) throw new Error("cancelled");
      const others = [...this.executions.keys()].filter((id) => id !== commandId);
      if (others.length === 0 && [...this.accepting.keys()].every((id) => id === commandId)) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Takes new commands again (a self-upgrade that did not swap). */
  release(): void {
    this.holding = null;
  }

  onCancel(commandId: string): void {
    const execution = this.executions.get(commandId);
    if (!execution) {
      this.options.logger.info("cancel for a command that is not running", { command_id: commandId });
      return;
    }
    this.options.logger.info("cancelling command", { command_id: commandId });
    execution.stop("cancelled");
  }
}
