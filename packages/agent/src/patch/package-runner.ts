import { spawn } from "node:child_process";
import type { PackageEnv } from "./package-env";

/** How a package-tool command ended. */
export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Mutating commands (dpkg runs) are never SIGKILLed: SIGTERM only, then we wait (patching.md §2). */
  mutating?: boolean;
  /** Added to the package environment (e.g. the agent's own self-upgrade marker for its maintainer scripts). */
  extraEnv?: Record<string, string>;
  cwd?: string;
}

const SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * The environment of every package command: C locale (parsable output), non-interactive debconf,
 * needrestart suspended (it would otherwise restart services, the agent included, from apt's
 * hook), no apt-listchanges pager, ucf keeps local conffiles.
 */
export function packageEnvironment(env: PackageEnv): Record<string, string> {
  const out: Record<string, string> = {
    PATH: SAFE_PATH,
    LC_ALL: "C",
    LANG: "C",
    HOME: "/root",
    DEBIAN_FRONTEND: "noninteractive",
    DEBCONF_NONINTERACTIVE_SEEN: "true",
    NEEDRESTART_SUSPEND: "1",
    NEEDRESTART_MODE: "l",
    APT_LISTCHANGES_FRONTEND: "none",
    UCF_FORCE_CONFOLD: "1",
  };
  if (env.aptConfig) out.APT_CONFIG = env.aptConfig;
  if (env.root !== "/") out.DPKG_ROOT = env.root;
  return out;
}

/**
 * The one way the agent runs package tools: serialized (one package command at a time, so two
 * jobs never race for the dpkg lock inside the agent), argv only, capped output, a wall-clock
 * timeout.
 */
export class PackageRunner {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly env: PackageEnv,
    private readonly outputCapBytes = 1024 * 1024,
    private readonly defaultTimeoutMs = 30 * 60_000,
  ) {}

  /** Runs `fn` with the runner to itself: a whole apply or rollback is one critical section. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Runs one command (not serialized by itself; call inside `exclusive` for mutations). */
  run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const cap = this.outputCapBytes;
    return new Promise((resolve) => {
      const child = spawn(cmd, args, {
        shell: false,
        cwd: opts.cwd ?? "/",
        env: { ...packageEnvironment(this.env), ...opts.extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let truncated = false;
      let timedOut = false;
      const take = (chunks: Buffer[], size: number, chunk: Buffer): number => {
        if (size >= cap) {
          truncated = true;
          return size;
        }
        const part = chunk.subarray(0, cap - size);
        if (part.length < chunk.length) truncated = true;
        chunks.push(part);
        return size + part.length;
      };
      child.stdout.on("data", (c: Buffer) => {
        outBytes = take(out, outBytes, c);
      });
      child.stderr.on("data", (c: Buffer) => {
        errBytes = take(err, errBytes, c);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGTERM");
        if (!opts.mutating) setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }, timeoutMs);
      timer.unref();
      const finish = (code: number | null, signal: string | null, spawnError?: string) => {
        clearTimeout(timer);
        resolve({
          code,
          signal,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8") + (spawnError ? `spawn failed: ${spawnError}\n` : ""),
          truncated,
          timedOut,
          durationMs: Date.now() - started,
        });
      };
      child.once("error", (e: NodeJS.ErrnoException) => {
        if (child.pid === undefined) finish(null, null, e.code ?? e.message);
      });
      child.once("close", (code, signal) => finish(code, signal));
    });
  }
}
