import type { JobProgress } from "./job-run.types";

interface Waiter {
  kind: "complete" | "acks";
  deadline: number;
  resolve: (p: JobProgress) => void;
}

/**
 * Callers blocked in `waitForCompletion` / `waitForAcks` (in memory: a reset
 * drops them and the caller's RPC fails, so the face re-reads D1). Released
 * when their condition holds, or at their deadline by the alarm.
 */
export class JobWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly snapshot: () => JobProgress) {}

  add(kind: Waiter["kind"], timeoutMs: number): Promise<JobProgress> {
    return new Promise<JobProgress>((resolve) => {
      this.waiters.add({ kind, deadline: Date.now() + timeoutMs, resolve });
    });
  }

  get size(): number {
    return this.waiters.size;
  }

  deadlines(): number[] {
    return [...this.waiters].map((w) => w.deadline);
  }

  /** Releases the waiters whose condition holds: the job ended, or (acks) nothing sent is unacknowledged. */
  check(complete: boolean, unacked: () => number): void {
    if (this.waiters.size === 0) return;
    // The unacknowledged count is read only when someone waits for acks (and the job has not ended).
    let noneUnacked: boolean | undefined;
    for (const w of this.waiters) {
      if (complete) this.release(w);
      else if (w.kind === "acks") {
        noneUnacked ??= unacked() === 0;
        if (noneUnacked) this.release(w);
      }
    }
  }

  /** Releases the waiters whose deadline passed (with the progress so far). */
  expire(now: number): void {
    for (const w of this.waiters) {
      if (w.deadline <= now) this.release(w);
    }
  }

  private release(w: Waiter): void {
    this.waiters.delete(w);
    w.resolve(this.snapshot());
  }
}
