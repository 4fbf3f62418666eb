import { jobOutputKey, logAt, storeJobOutput, writeJobState } from "@fleetgate/domain";
import { PREVIEW_BYTES, preview } from "../job-state";
import type { DomainAccess } from "../shared/domain-access";
import { type JobStore, shownStatus } from "./job-store";

const FLUSH_CHUNK = 200;
/** Intermediate write-backs go out at most this often; results arriving meanwhile share one D1 batch. */
export const WRITEBACK_TICK_MS = 250;

/**
 * Writes the job's dirty rows (`version > synced_version`) to D1, one flush at
 * a time (a later flush never races an earlier one); a failed write leaves the
 * rows dirty and asks for a retry. Large output goes to R2 first.
 */
export class JobWriteBack {
  private chain: Promise<void> = Promise.resolve();
  private lastFlushAt = 0;

  constructor(
    private readonly domain: DomainAccess,
    private readonly logLevel: string | undefined,
    private readonly store: JobStore,
    private readonly retryAt: (at: number) => Promise<void>,
    /** Called once D1 holds every change made so far. */
    private readonly onSynced: () => void = () => {},
  ) {}

  /** When the next intermediate write-back is due (the job's end flushes at once, see JobRun.afterChange). */
  nextFlushAt(now: number): number {
    return Math.max(now, this.lastFlushAt + WRITEBACK_TICK_MS);
  }

  flush(): Promise<void> {
    this.chain = this.chain.then(
      () => this.flushOnce(),
      () => this.flushOnce(),
    );
    return this.chain.catch(async (err) => {
      logAt(this.logLevel, "warn", "writing job state to D1 failed; will retry", { error: String(err) });
      await this.retryAt(Date.now() + FLUSH_RETRY_MS);
    });
  }

  private async flushOnce(): Promise<void> {
    const meta = this.store.meta();
    if (!meta) return;
    const plan = this.store.plan(meta);
    const ctx = await this.domain.context();
    this.lastFlushAt = Date.now();
    for (;;) {
      const rows = this.store.unsynced(FLUSH_CHUNK);
      const m = this.store.meta();
      const jobDirty = m !== undefined && m.version > m.synced_version;
      if (rows.length === 0 && !jobDirty) break;
      await writeJobState(
        ctx,
        jobDirty && m
          ? {
              id: plan.job_id,
              status: m.status,
              succeededCount: this.store.counts().succeeded ?? 0,
              failedCount: this.store.failures(),
              startedAt: m.started_at,
              completedAt: m.completed_at,
            }
          : undefined,
        rows.map((r) => ({
          id: r.command_id,
          status: shownStatus(r),
          exitCode: r.exit_code,
          stdout: r.stdout,
          stderr: r.stderr,
          outputKey: r.output_key,
          error: r.error,
          startedAt: r.started_at,
          completedAt: r.completed_at,
        })),
      );
      this.store.markSynced(rows, jobDirty && m ? m.version : undefined);
    }
    this.onSynced();
  }

  /** Keeps a preview in D1; the full output of a long stream goes to R2 (`jobs/<job>/<host>.<stream>`). */
  async storeOutput(
    jobId: string,
    hostId: string,
    stdout: string,
    stderr: string,
  ): Promise<{ stdout: string; stderr: string; output_key: string | null }> {
    const key = jobOutputKey(jobId, hostId);
    const out = preview(stdout, PREVIEW_BYTES);
    const err = preview(stderr, PREVIEW_BYTES);
    if (out.truncated || err.truncated) {
      await storeJobOutput(await this.domain.context(), key, { stdout, stderr });
    }
    return { stdout: out.text, stderr: err.text, output_key: out.truncated || err.truncated ? key : null };
  }
}

export const FLUSH_RETRY_MS = 2_000;
