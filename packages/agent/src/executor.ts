import { spawn } from "node:child_process";
import { OutputCollector } from "./output";

/** What to run. `path` comes from the agent's own allowlist, never from the server. */
export interface ExecRequest {
  commandId: string;
  reqid: string;
  script: string;
  path: string;
  args: string[];
  timeoutMs: number;
  /** Bytes streamed per stream (config `output_cap_bytes`). */
  streamCapBytes: number;
  /** Bytes kept per stream in the result (≤ MAX_RESULT_OUTPUT_BYTES). */
  storeCapBytes: number;
}

/** How a run ended, ready to become a `result` frame. */
export interface ExecOutcome {
  exit_code: number | null;
  /** null, or: spawn_failed, timed_out, cancelled, interrupted. */
  error: string | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  started_at: number | null;
  finished_at: number;
  /** A reboot in progress when the agent stopped: no result now (it is written after the boot, see reboot/rebooter.ts). */
  deferred?: boolean;
}

/** A running command. */
export interface Execution {
  readonly done: Promise<ExecOutcome>;
  /** Stops the command (SIGTERM to its process group, SIGKILL after the grace period); `reason` becomes `error`. */
  stop(reason: "cancelled" | "interrupted"): void;
}

export interface ExecOptions {
  onOutput: (stream: "stdout" | "stderr", seq: number, data: string) => void;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** How long to wait for stdout/stderr to close after the process exited (a detached grandchild may hold them). */
  drainMs?: number;
}

const SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The whole environment a script sees: nothing of the agent's own environment leaks through. */
export function scriptEnvironment(req: ExecRequest): Record<string, string> {
  return {
    PATH: SAFE_PATH,
    LANG: "C.UTF-8",
    HOME: "/",
    FLEETGATE_COMMAND_ID: req.commandId,
    FLEETGATE_REQID: req.reqid,
    FLEETGATE_SCRIPT: req.script,
  };
}

/**
 * Runs an allowlisted script with argv only (`shell: false`: metacharacters in arguments
 * reach the script literally), a minimal environment, cwd `/`, in its own process group
 * so a timeout or cancel also stops whatever it started.
 */
export function execute(req: ExecRequest, options: ExecOptions): Execution {
  const killGraceMs = options.killGraceMs ?? 5000;
  const drainMs = options.drainMs ?? 2000;
  const stdout = new OutputCollector(req.streamCapBytes, req.storeCapBytes, (seq, data) =>
    options.onOutput("stdout", seq, data),
  );
  const stderr = new OutputCollector(req.streamCapBytes, req.storeCapBytes, (seq, data) =>
    options.onOutput("stderr", seq, data),
  );
  let stopReason: "timed_out" | "cancelled" | "interrupted" | null = null;
  let finished = false;
  let exited = false;
  const timers: NodeJS.Timeout[] = [];
  const startedAt = Date.now();

  const child = spawn(req.path, req.args, {
    shell: false,
    cwd: "/",
    env: scriptEnvironment(req),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || finished) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  };

  const stop = (reason: "timed_out" | "cancelled" | "interrupted") => {
    if (stopReason !== null || finished || exited) return;
    stopReason = reason;
    signalGroup("SIGTERM");
    const kill = setTimeout(() => signalGroup("SIGKILL"), killGraceMs);
    kill.unref();
    timers.push(kill);
  };

  const done = new Promise<ExecOutcome>((resolve) => {
    const finish = (outcome: Omit<ExecOutcome, "stdout" | "stderr" | "truncated" | "finished_at">) => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        ...outcome,
        stdout: stdout.finish(),
        stderr: stderr.finish(),
        truncated: stdout.truncated || stderr.truncated,
        finished_at: Date.now(),
      });
    };

    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));

    child.once("error", (error: NodeJS.ErrnoException) => {
      // 'error' without a pid: the process never started (ENOENT, EACCES, ENOEXEC...).
      if (child.pid !== undefined) return;
      stderr.push(Buffer.from(`spawn failed: ${error.code ?? error.message}\n`));
      finish({ exit_code: null, error: "spawn_failed", signal: null, started_at: null });
    });

    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const settle = () => {
      if (!exit) return;
      finish({ exit_code: exit.code, error: stopReason, signal: exit.signal, started_at: startedAt });
    };
    child.once("exit", (code, signal) => {
      exited = true;
      exit = { code, signal };
      // Give the pipes a moment to drain; a daemonised grandchild may keep them open forever.
      const drain = setTimeout(settle, drainMs);
      drain.unref();
      timers.push(drain);
    });
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
      exit ??= { code, signal };
      settle();
    });
  });

  const timeout = setTimeout(() => stop("timed_out"), req.timeoutMs);
  timeout.unref();
  timers.push(timeout);

  return { done, stop };
}
