import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { CliError, EXIT } from "./exit-codes";

export interface LockOptions {
  /** Give up after this long (default 20 s). */
  waitMs?: number;
  /** A lock file older than this is left over from a crashed process and taken over (default 30 s). */
  staleMs?: number;
  pollMs?: number;
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL, so two processes never both
 * hold it), on every OS Node runs on. Used around session refreshes: the server rotates refresh
 * tokens and ends the whole family when one is reused, so two `fleetgate` processes refreshing the
 * same stored session at once must take turns.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, o: LockOptions = {}): Promise<T> {
  const waitMs = o.waitMs ?? 20_000;
  const staleMs = o.staleMs ?? 30_000;
  const pollMs = o.pollMs ?? 25;
  const deadline = Date.now() + waitMs;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(file, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (fd !== undefined) {
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      try {
        return await fn();
      } finally {
        rmSync(file, { force: true });
      }
    }
    if (isStale(file, staleMs)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CliError(`another fleetgate process holds ${file}; if none runs, delete the file`, EXIT.error);
    }
    await delay(pollMs);
  }
}

function isStale(file: string, staleMs: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > staleMs;
  } catch {
    return false; // it was just released: try again
  }
}
