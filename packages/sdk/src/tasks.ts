import { sleep } from "./backoff";
import { FleetgateError, WaitTimeoutError } from "./errors";
import type { Task } from "./types";

export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up after this long (WaitTimeoutError); default 10 minutes. */
  timeoutMs?: number;
  /** Called with every poll's task (progress display). */
  onProgress?: (task: Task) => void;
  /** Poll interval bounds; grows from `minIntervalMs` to `maxIntervalMs`. */
  minIntervalMs?: number;
  maxIntervalMs?: number;
}

/** A downloaded task file: a streaming response body plus its name and type. */
export interface TaskFile {
  task: Task;
  filename: string | undefined;
  contentType: string | undefined;
  response: Response;
}

/** Polls a task until it is no longer PENDING/STARTED; FAILURE/REVOKED throw. */
export async function waitForTask(get: () => Promise<Task>, opts: WaitOptions = {}): Promise<Task> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let interval = opts.minIntervalMs ?? 250;
  const max = opts.maxIntervalMs ?? 2_000;
  while (true) {
    const task = await get();
    opts.onProgress?.(task);
    if (!task.unready) {
      if (task.status !== "SUCCESS") {
        throw new FleetgateError(
          `Task ${task.id} ended ${task.status}: ${task.error ?? "no detail"}`,
          0,
          "task_failed",
        );
      }
      return task;
    }
    if (Date.now() + interval > deadline) {
      throw new WaitTimeoutError(`Task ${task.id} still ${task.status} after the wait timeout`, 0, "timeout");
    }
    await sleep(interval, opts.signal);
    interval = Math.min(max, Math.ceil(interval * 1.5));
  }
}

/** The file name of a `Content-Disposition` header (RFC 6266: `filename*` wins over `filename`). */
export function filenameFrom(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(disposition);
  if (star?.[1]) {
    try {
      return safeName(decodeURIComponent(star[1].trim()));
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2]?.trim();
  return name ? safeName(name) : undefined;
}

/** A server-chosen file name reduced to its last path segment, so it can never escape a directory. */
function safeName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop()?.trim() ?? "";
  return base === "" || base === "." || base === ".." ? undefined : base;
}
