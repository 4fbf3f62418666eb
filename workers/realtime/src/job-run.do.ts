import { DurableObject } from "cloudflare:workers";
import {
  type EnqueueOutcome,
  HostReport,
  type JobHostStatus,
  JobPlan,
  type JobStatus,
  type JobUpdate,
  TERMINAL_HOST_STATUSES,
} from "@fleetgate/contract";
import { createDb, jobById, jobOutputKey, jobOutputObject, logAt, writeJobState } from "@fleetgate/domain";
import { z } from "zod";
import {
  FAILURE_STATUSES,
  finalStatus,
  hostOutcome,
  PREVIEW_BYTES,
  preview,
  RESULT_GRACE_MS,
  thresholdExceeded,
} from "./job-state";
import { EventPublisher } from "./publisher";

interface JobMeta extends Record<string, SqlStorageValue> {
  status: JobStatus;
  cancel_requested: number;
  stop_reason: string | null;
  started_at: number | null;
  completed_at: number | null;
  version: number;
  synced_version: number;
}

interface HostRow extends Record<string, SqlStorageValue> {
  seq: number;
  host_id: string;
  host_name: string;
  command_id: string;
  status: JobHostStatus;
  /** How HostChannel took the command: sent (to a live agent), queued (host offline), or null (not yet). */
  delivery: "sent" | "queued" | null;
  exit_code: number | null;
  error: string | null;
  stdout: string;
  stderr: string;
  output_key: string | null;
  dispatched_at: number | null;
  acked_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  deadline: number | null;
  version: number;
  synced_version: number;
}

/** A host as the faces see it while waiting (no output: that is read from D1/R2). */
export interface HostProgress {
  host_id: string;
  host_name: string;
  command_id: string;
  status: JobHostStatus;
  delivery: "sent" | "queued" | null;
  error: string | null;
  dispatched_at: number | null;
  acked_at: number | null;
  completed_at: number | null;
}

export interface JobProgress {
  found: boolean;
  status: JobStatus | null;
  complete: boolean;
  hosts: HostProgress[];
}

interface Waiter {
  kind: "complete" | "acks";
  deadline: number;
  resolve: (p: JobProgress) => void;
}

const WaitMs = z.number().int().min(0).max(86_400_000);
const ENQUEUE_RETRY_MS = 2_000;
const FLUSH_RETRY_MS = 2_000;
const ENQUEUE_CONCURRENCY = 50;
const FLUSH_CHUNK = 50;
/** A finished job's state stays here this long (late duplicates, waiters), then only D1 has it. */
const KEEP_FINISHED_MS = 24 * 3_600_000;

/**
 * One per job (`idFromName(jobId)`): the job's state machine (job-state.ts),
 * fan-out in waves bounded by `max_parallel`, the error threshold, per-host
 * deadlines via the alarm, cancellation, persistence of per-host results to
 * D1 (large output to R2), and events to the EventHub.
 *
 * Eviction safety: every transition is written to this object's SQLite before
 * anything else happens, so a reset loses nothing; command ids are the stable
 * job_hosts ids, HostChannel.enqueue is idempotent and the agent never runs a
 * command id twice, so re-dispatching after a reset cannot run a host twice.
 * Reports are idempotent by command id (a terminal host never changes).
 * D1 is written from `version > synced_version` rows by the alarm (and at the
 * end of the job before waiters are released), so a failed write is retried.
 */
export class JobRun extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly publisher: EventPublisher;
  private readonly waiters = new Set<Waiter>();
  private pumping = false;
  private pumpAgain = false;
  private flushChain: Promise<void> = Promise.resolve();
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.publisher = new EventPublisher(env);
    ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    this.sql.exec(`
        CREATE TABLE IF NOT EXISTS job (
          id INTEGER PRIMARY KEY CHECK (id = 1), plan TEXT NOT NULL, status TEXT NOT NULL,
          cancel_requested INTEGER NOT NULL DEFAULT 0, stop_reason TEXT,
          started_at INTEGER, completed_at INTEGER,
          version INTEGER NOT NULL DEFAULT 1, synced_version INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS hosts (
          seq INTEGER PRIMARY KEY, host_id TEXT NOT NULL UNIQUE, host_name TEXT NOT NULL,
          command_id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, delivery TEXT,
          exit_code INTEGER, error TEXT, stdout TEXT NOT NULL DEFAULT '', stderr TEXT NOT NULL DEFAULT '',
          output_key TEXT, dispatched_at INTEGER, acked_at INTEGER, started_at INTEGER, completed_at INTEGER,
          deadline INTEGER, version INTEGER NOT NULL DEFAULT 1, synced_version INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS hosts_status ON hosts (status);
        CREATE INDEX IF NOT EXISTS hosts_unsynced ON hosts (seq) WHERE version > synced_version;
      `);
  }

  // ---- RPC ---------------------------------------------------------------

  /** Starts the job (idempotent: a second start with the same plan only reports progress). */
  async start(raw: unknown): Promise<JobProgress> {
    const plan = JobPlan.parse(raw);
    if (!this.meta()) {
      // Only a job D1 still shows as queued may start here: after this object's state was
      // dropped (a day after the job ended) a replayed start must never run the hosts again.
      const row = await jobById(createDb(this.env.DB), plan.job_id);
      if (row?.status !== "queued") return this.progress();
      if (this.meta()) return this.progress(); // Another start won while we read D1.
      const now = Date.now();
      this.sql.exec(
        "INSERT INTO job (id, plan, status, started_at) VALUES (1, ?, 'running', ?)",
        JSON.stringify(plan),
        now,
      );
      plan.hosts.forEach((h, i) => {
        this.sql.exec(
          "INSERT INTO hosts (seq, host_id, host_name, command_id, status) VALUES (?, ?, ?, ?, 'pending')",
          i,
          h.host_id,
          h.host_name,
          h.command_id,
        );
      });
      logAt(
        this.env.LOG_LEVEL,
        "info",
        `ACTION=dispatch HOSTS=${plan.hosts.map((h) => h.host_name).join(",")} REQID=${plan.reqid} SCRIPT=${plan.script} MODE=${plan.mode}`,
        {
          reqid: plan.reqid,
          job_id: plan.job_id,
          host_count: plan.hosts.length,
        },
      );
      this.publishJob();
      await this.scheduleAlarm();
      await this.pump();
    }
    return this.progress();
  }

  /** A report from a HostChannel (ack, result, queue expiry). Idempotent by command id. */
  async report(raw: unknown): Promise<{ applied: boolean }> {
    const report = HostReport.parse(raw);
    const meta = this.meta();
    const host = this.sql.exec<HostRow>("SELECT * FROM hosts WHERE command_id = ?", report.command_id).toArray()[0];
    if (!meta || !host || host.host_id !== report.host_id) return { applied: false };
    const plan = this.plan(meta);
    let applied = false;
    switch (report.type) {
      case "ack":
        if (host.status === "dispatched") {
          const deadline = Math.min(
            host.deadline ?? Number.MAX_SAFE_INTEGER,
            report.at + plan.timeout_seconds * 1000 + RESULT_GRACE_MS,
          );
          this.updateHost(host.command_id, { status: "running", acked_at: report.at, started_at: report.at, deadline });
          this.publishHost({ ...host, status: "running" });
          applied = true;
        }
        break;
      case "expired":
        if (host.status === "dispatched") {
          this.endHost(host, { status: "offline_expired", error: "host offline" }, report.at, plan);
          applied = true;
        }
        break;
      case "result": {
        const r = report.result;
        const outcome = hostOutcome(r);
        if (!TERMINAL_HOST_STATUSES.has(host.status)) {
          const out = await this.storeOutput(plan.job_id, host.host_id, r.stdout, r.stderr);
          this.endHost(
            host,
            {
              status: outcome.status,
              exit_code: outcome.exitCode,
              error: outcome.error,
              ...out,
              started_at: r.started_at ?? host.started_at,
            },
            report.at,
            plan,
          );
          applied = true;
        } else if (host.status === "cancelled" && host.exit_code === null && host.stdout === "" && host.stderr === "") {
          // Cancelled here first; keep what the script printed before it was stopped.
          const out = await this.storeOutput(plan.job_id, host.host_id, r.stdout, r.stderr);
          this.updateHost(host.command_id, { exit_code: outcome.exitCode, ...out });
          applied = true;
        }
        break;
      }
    }
    if (applied) {
      await this.afterChange();
    }
    return { applied };
  }

  /** Cancels the job: pending hosts never start, dispatched/running ones are told to stop. */
  async cancel(): Promise<{ ok: boolean; status: JobStatus | null }> {
    const meta = this.meta();
    if (!meta) return { ok: false, status: null };
    if (meta.status !== "running" && meta.status !== "queued") return { ok: false, status: meta.status };
    const now = Date.now();
    this.sql.exec("UPDATE job SET cancel_requested = 1, stop_reason = 'cancelled', version = version + 1");
    const plan = this.plan(meta);
    const active = this.sql
      .exec<HostRow>("SELECT * FROM hosts WHERE status IN ('pending', 'dispatched', 'running') ORDER BY seq")
      .toArray();
    for (const h of active) this.endHost(h, { status: "cancelled", error: "cancelled" }, now, plan);
    logAt(this.env.LOG_LEVEL, "info", `REQID=${plan.reqid} job cancelled`, { reqid: plan.reqid, job_id: plan.job_id });
    await this.afterChange();
    // Tell the hosts that had the command; a failure here is harmless (the agent's own timeout ends it).
    const delivered = active.filter((h) => h.status !== "pending");
    await this.forEachLimited(delivered, async (h) => {
      try {
        await this.channel(h.host_id).cancel(h.command_id);
      } catch (err) {
        logAt(this.env.LOG_LEVEL, "warn", "cancel to HostChannel failed", {
          command_id: h.command_id,
          error: String(err),
        });
      }
    });
    return { ok: true, status: this.meta()?.status ?? null };
  }

  /** Resolves when the job ends, or after `timeoutMs` (alarm-driven) with the progress so far. */
  async waitForCompletion(timeoutMs: unknown): Promise<JobProgress> {
    return this.wait("complete", WaitMs.parse(timeoutMs));
  }

  /** Resolves when no host holds a command that was sent but not yet acknowledged (or after `timeoutMs`). */
  async waitForAcks(timeoutMs: unknown): Promise<JobProgress> {
    return this.wait("acks", WaitMs.parse(timeoutMs));
  }

  /** Current progress without output. */
  async progress(): Promise<JobProgress> {
    const meta = this.meta();
    if (!meta) return { found: false, status: null, complete: false, hosts: [] };
    const hosts = this.sql
      .exec<HostRow>(
        "SELECT seq, host_id, host_name, command_id, status, delivery, error, dispatched_at, acked_at, completed_at FROM hosts ORDER BY seq",
      )
      .toArray()
      .map((h) => ({
        host_id: h.host_id,
        host_name: h.host_name,
        command_id: h.command_id,
        status: h.status,
        delivery: h.delivery,
        error: h.error,
        dispatched_at: h.dispatched_at,
        acked_at: h.acked_at,
        completed_at: h.completed_at,
      }));
    return { found: true, status: meta.status, complete: meta.completed_at !== null, hosts };
  }

  // ---- alarm -------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarmAt = null; // This alarm fired; none is set until scheduled again.
    const meta = this.meta();
    if (!meta) return;
    const now = Date.now();
    if (meta.completed_at !== null && meta.completed_at + KEEP_FINISHED_MS <= now && !this.dirty()) {
      // D1 holds the results; this object's copy is no longer needed.
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.alarmAt = null;
      this.planCache = undefined;
      this.countsCache = undefined;
      // Late reports still find (empty) tables and are ignored; a replayed start is refused (D1 says done).
      this.migrate();
      return;
    }
    const plan = this.plan(meta);
    const late = this.sql
      .exec<HostRow>(
        "SELECT * FROM hosts WHERE status IN ('dispatched', 'running') AND deadline IS NOT NULL AND deadline <= ?",
        now,
      )
      .toArray();
    for (const h of late) {
      this.endHost(h, { status: "timed_out", error: "timed_out" }, now, plan);
      logAt(this.env.LOG_LEVEL, "warn", `REQID=${plan.reqid} HOST=${h.host_name} no result before the deadline`, {
        reqid: plan.reqid,
        command_id: h.command_id,
      });
    }
    for (const w of this.waiters) {
      if (w.deadline <= now) this.release(w);
    }
    await this.afterChange();
    if (late.length > 0) {
      await this.forEachLimited(late, async (h) => {
        try {
          await this.channel(h.host_id).cancel(h.command_id);
        } catch {
          // Best effort: the agent enforces its own timeout.
        }
      });
    }
    await this.flush();
    await this.scheduleAlarm();
  }

  // ---- state machine ---------------------------------------------------------

  /** Dispatches the next wave(s): fills free slots up to max_parallel, unless stopped. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private async pumpOnce(): Promise<void> {
    const meta = this.meta();
    if (meta?.status !== "running" || meta.cancel_requested) return;
    const plan: JobPlan = this.plan(meta);
    const now = Date.now();
    const counts = this.counts();
    const failures = [...FAILURE_STATUSES].reduce((n, s) => n + (counts[s] ?? 0), 0);
    if ((counts.pending ?? 0) > 0 && thresholdExceeded(plan.error_threshold, failures, plan.hosts.length)) {
      // Stop dispatching: the hosts not yet started are cancelled, running ones finish.
      this.sql.exec("UPDATE job SET stop_reason = 'error_threshold', version = version + 1");
      for (const h of this.sql.exec<HostRow>("SELECT * FROM hosts WHERE status = 'pending'").toArray()) {
        this.endHost(h, { status: "cancelled", error: "error threshold exceeded" }, now, plan);
      }
      logAt(
        this.env.LOG_LEVEL,
        "warn",
        `REQID=${plan.reqid} error threshold exceeded; not dispatching the remaining hosts`,
        {
          reqid: plan.reqid,
          failures,
        },
      );
      await this.afterChange(false);
      return;
    }
    const inflight = (counts.dispatched ?? 0) + (counts.running ?? 0);
    const free = plan.max_parallel - inflight;
    if (free > 0) {
      const wave = this.sql
        .exec<HostRow>("SELECT * FROM hosts WHERE status = 'pending' ORDER BY seq LIMIT ?", free)
        .toArray();
      const deadlineAfter = (plan.queue_ttl_seconds + plan.timeout_seconds) * 1000 + RESULT_GRACE_MS;
      for (const h of wave) {
        this.updateHost(h.command_id, { status: "dispatched", dispatched_at: now, deadline: now + deadlineAfter });
        this.publishHost({ ...h, status: "dispatched" });
      }
      if (wave.length > 0) await this.scheduleAlarm();
    }
    // Hand every dispatched-but-not-yet-enqueued command to its host (also retries after a reset).
    const toSend = this.sql
      .exec<HostRow>("SELECT * FROM hosts WHERE status = 'dispatched' AND delivery IS NULL ORDER BY seq")
      .toArray();
    if (toSend.length === 0) return;
    let failed = 0;
    await this.forEachLimited(toSend, async (h) => {
      let outcome: EnqueueOutcome;
      try {
        outcome = await this.channel(h.host_id).enqueue({
          command_id: h.command_id,
          job_id: plan.job_id,
          host_id: h.host_id,
          reqid: plan.reqid,
          script: plan.script,
          args: plan.args,
          timeout_seconds: plan.timeout_seconds,
          expires_at: (h.dispatched_at ?? now) + plan.queue_ttl_seconds * 1000,
          require_online: plan.require_online,
        });
      } catch (err) {
        failed++;
        logAt(this.env.LOG_LEVEL, "warn", "enqueue to HostChannel failed; will retry", {
          command_id: h.command_id,
          error: String(err),
        });
        return;
      }
      const current = this.sql.exec<HostRow>("SELECT * FROM hosts WHERE command_id = ?", h.command_id).toArray()[0];
      if (current?.status !== "dispatched") return; // Acked, ended or cancelled meanwhile.
      if (outcome === "offline") {
        this.endHost(current, { status: "offline_expired", error: "host offline" }, Date.now(), plan);
        // A slot became free: the next wave may go out.
        this.pumpAgain = true;
      } else {
        this.updateHost(h.command_id, { delivery: outcome === "queued" ? "queued" : "sent" });
      }
    });
    if (failed > 0) await this.armAt(Date.now() + ENQUEUE_RETRY_MS);
    await this.afterChange(false);
  }

  /** Ends a host (terminal state), publishes it, and updates the job's counters. */
  private endHost(
    h: HostRow,
    patch: Partial<Omit<HostRow, "seq" | "host_id" | "command_id">> & { status: JobHostStatus },
    at: number,
    plan: JobPlan,
  ): void {
    this.updateHost(h.command_id, { ...patch, completed_at: at, deadline: null });
    const ended = { ...h, ...patch };
    this.publishHost(ended);
    logAt(
      this.env.LOG_LEVEL,
      "info",
      `REQID=${plan.reqid} HOST=${h.host_name} STATUS=${patch.status}${patch.exit_code !== undefined && patch.exit_code !== null ? ` EXIT=${patch.exit_code}` : ""}`,
      { reqid: plan.reqid, command_id: h.command_id, error: patch.error ?? null },
    );
  }

  /** After any change: dispatch more, finish when every host ended, release waiters, arm the alarm. */
  private async afterChange(pump = true): Promise<void> {
    this.bumpJob();
    this.publishJob();
    if (pump) await this.pump();
    const meta = this.meta();
    if (meta && meta.completed_at === null && (meta.status === "running" || meta.status === "queued")) {
      const open = this.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM hosts WHERE status IN ('pending', 'dispatched', 'running')")
        .one().n;
      if (open === 0) {
        const status = finalStatus(this.counts(), meta.cancel_requested === 1);
        this.sql.exec("UPDATE job SET status = ?, completed_at = ?, version = version + 1", status, Date.now());
        const plan = this.plan(meta);
        logAt(this.env.LOG_LEVEL, "info", `REQID=${plan.reqid} job ${status}`, {
          reqid: plan.reqid,
          job_id: plan.job_id,
          ...this.counts(),
        });
        this.publishJob();
        // D1 first, then the waiters: whoever waited reads the final rows from D1.
        await this.flush();
      }
    }
    this.checkWaiters();
    await this.scheduleAlarm();
  }

  // ---- waiters ---------------------------------------------------------------

  private async wait(kind: Waiter["kind"], timeoutMs: number): Promise<JobProgress> {
    if (!this.meta()) return this.progress();
    const p = new Promise<JobProgress>((resolve) => {
      this.waiters.add({ kind, deadline: Date.now() + timeoutMs, resolve });
    });
    this.checkWaiters();
    await this.scheduleAlarm();
    return p;
  }

  private checkWaiters(): void {
    if (this.waiters.size === 0) return;
    const meta = this.meta();
    const complete = meta?.completed_at !== null && meta?.completed_at !== undefined;
    const unacked = this.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM hosts WHERE status = 'dispatched' AND (delivery IS NULL OR delivery = 'sent')",
      )
      .one().n;
    for (const w of this.waiters) {
      if (complete || (w.kind === "acks" && unacked === 0)) this.release(w);
    }
  }

  private release(w: Waiter): void {
    this.waiters.delete(w);
    // progress() only reads storage; resolve with a settled snapshot.
    this.progress().then(w.resolve, () => w.resolve({ found: false, status: null, complete: false, hosts: [] }));
  }

  // ---- persistence -------------------------------------------------------------

  /** Writes dirty rows to D1, one flush at a time (a later flush never races an earlier one). */
  private flush(): Promise<void> {
    this.flushChain = this.flushChain.then(
      () => this.flushOnce(),
      () => this.flushOnce(),
    );
    return this.flushChain.catch(async (err) => {
      logAt(this.env.LOG_LEVEL, "warn", "writing job state to D1 failed; will retry", { error: String(err) });
      await this.armAt(Date.now() + FLUSH_RETRY_MS);
    });
  }

  private async flushOnce(): Promise<void> {
    const meta = this.meta();
    if (!meta) return;
    const plan = this.plan(meta);
    const db = createDb(this.env.DB);
    for (;;) {
      const rows = this.sql
        .exec<HostRow>("SELECT * FROM hosts WHERE version > synced_version ORDER BY seq LIMIT ?", FLUSH_CHUNK)
        .toArray();
      const m = this.meta();
      const jobDirty = m !== undefined && m.version > m.synced_version;
      if (rows.length === 0 && !jobDirty) return;
      const counts = this.counts();
      await writeJobState(
        db,
        jobDirty && m
          ? {
              id: plan.job_id,
              status: m.status,
              succeededCount: counts.succeeded ?? 0,
              failedCount: [...FAILURE_STATUSES].reduce((n, s) => n + (counts[s] ?? 0), 0),
              startedAt: m.started_at,
              completedAt: m.completed_at,
            }
          : undefined,
        rows.map((r) => ({
          id: r.command_id,
          status: r.status,
          exitCode: r.exit_code,
          stdout: r.stdout,
          stderr: r.stderr,
          outputKey: r.output_key,
          error: r.error,
          startedAt: r.started_at,
          completedAt: r.completed_at,
        })),
      );
      for (const r of rows) {
        this.sql.exec("UPDATE hosts SET synced_version = ? WHERE command_id = ?", r.version, r.command_id);
      }
      if (jobDirty && m) this.sql.exec("UPDATE job SET synced_version = ?", m.version);
    }
  }

  /** Keeps a preview in D1; the full output of a long stream goes to R2 (`jobs/<job>/<host>.<stream>`). */
  private async storeOutput(
    jobId: string,
    hostId: string,
    stdout: string,
    stderr: string,
  ): Promise<{ stdout: string; stderr: string; output_key: string | null }> {
    const key = jobOutputKey(jobId, hostId);
    const out = preview(stdout, PREVIEW_BYTES);
    const err = preview(stderr, PREVIEW_BYTES);
    if (out.truncated || err.truncated) {
      await Promise.all([
        this.env.EXPORTS.put(jobOutputObject(key, "stdout"), stdout, {
          httpMetadata: { contentType: "text/plain; charset=utf-8" },
        }),
        this.env.EXPORTS.put(jobOutputObject(key, "stderr"), stderr, {
          httpMetadata: { contentType: "text/plain; charset=utf-8" },
        }),
      ]);
    }
    return { stdout: out.text, stderr: err.text, output_key: out.truncated || err.truncated ? key : null };
  }

  private dirtyHosts(): boolean {
    return this.sql.exec("SELECT 1 FROM hosts WHERE version > synced_version LIMIT 1").toArray().length > 0;
  }

  private dirty(): boolean {
    const n = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM (SELECT 1 FROM hosts WHERE version > synced_version LIMIT 1)")
      .one().n;
    const m = this.meta();
    return n > 0 || (m !== undefined && m.version > m.synced_version);
  }

  private async scheduleAlarm(): Promise<void> {
    const meta = this.meta();
    if (!meta) return;
    const now = Date.now();
    const candidates: number[] = [];
    const deadline = this.sql
      .exec<{ t: number | null }>(
        "SELECT min(deadline) AS t FROM hosts WHERE status IN ('dispatched', 'running') AND deadline IS NOT NULL",
      )
      .one().t;
    if (deadline !== null) candidates.push(deadline);
    for (const w of this.waiters) candidates.push(w.deadline);
    if (this.dirty()) candidates.push(now);
    const unsent = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM hosts WHERE status = 'dispatched' AND delivery IS NULL")
      .one().n;
    if (unsent > 0) candidates.push(now + ENQUEUE_RETRY_MS);
    if (meta.completed_at !== null) candidates.push(meta.completed_at + KEEP_FINISHED_MS);
    if (candidates.length === 0) return;
    await this.armAt(Math.max(now, Math.min(...candidates)));
  }

  /** Sets the alarm to `at` unless it is already due sooner (cached: one storage read per instance). */
  private async armAt(at: number): Promise<void> {
    this.alarmAt ??= await this.ctx.storage.getAlarm();
    const current = this.alarmAt;
    // Never postpone a pending alarm: under a steady stream of reports it would never fire.
    if (current === null || current > at) {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    }
  }

  // ---- events --------------------------------------------------------------------

  private publishHost(
    h: Pick<HostRow, "host_id" | "command_id" | "status" | "stdout" | "error"> & Partial<HostRow>,
  ): void {
    const meta = this.meta();
    if (!meta) return;
    const plan = this.plan(meta);
    const ev: JobUpdate = {
      event_type: "host",
      job_id: plan.job_id,
      host_id: h.host_id,
      status: h.status,
      agent_job_id: h.command_id,
    };
    if (TERMINAL_HOST_STATUSES.has(h.status)) {
      ev.output = h.stdout ?? "";
      if (h.error) ev.error_message = h.error;
    }
    this.publisher.publish(ev);
  }

  private lastJobEvent = "";
  private publishJob(): void {
    const meta = this.meta();
    if (!meta) return;
    const plan = this.plan(meta);
    const counts = this.counts();
    const ev: JobUpdate = {
      event_type: "job",
      job_id: plan.job_id,
      host_id: "",
      status: meta.status,
      succeeded_count: counts.succeeded ?? 0,
      failed_count: [...FAILURE_STATUSES].reduce((n, s) => n + (counts[s] ?? 0), 0),
      host_count: plan.hosts.length,
    };
    const key = JSON.stringify(ev);
    if (key === this.lastJobEvent) return; // Only changes are news.
    this.lastJobEvent = key;
    this.publisher.publish(ev);
  }

  // ---- storage helpers -------------------------------------------------------------

  /** The job row without its plan (the plan can be large: read once, below). */
  private meta(): JobMeta | undefined {
    return this.sql
      .exec<JobMeta>(
        "SELECT status, cancel_requested, stop_reason, started_at, completed_at, version, synced_version FROM job WHERE id = 1",
      )
      .toArray()[0];
  }

  private planCache: JobPlan | undefined;
  /** The plan; `_meta` proves the job exists. Parsed once per instance. */
  private plan(_meta: JobMeta): JobPlan {
    this.planCache ??= JobPlan.parse(
      JSON.parse(this.sql.exec<{ plan: string }>("SELECT plan FROM job WHERE id = 1").one().plan),
    );
    return this.planCache;
  }

  private countsCache: Partial<Record<JobHostStatus, number>> | undefined;
  /** Hosts per status (cached until the next host change). */
  private counts(): Partial<Record<JobHostStatus, number>> {
    if (this.countsCache) return this.countsCache;
    const out: Partial<Record<JobHostStatus, number>> = {};
    for (const r of this.sql
      .exec<{ status: JobHostStatus; n: number }>("SELECT status, count(*) AS n FROM hosts GROUP BY status")
      .toArray()) {
      out[r.status] = r.n;
    }
    this.countsCache = out;
    return out;
  }

  private updateHost(commandId: string, patch: Partial<Omit<HostRow, "seq" | "host_id" | "command_id">>): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    this.countsCache = undefined;
    const assignments = entries.map(([k]) => `${k} = ?`).join(", ");
    this.sql.exec(
      `UPDATE hosts SET ${assignments}, version = version + 1 WHERE command_id = ?`,
      ...entries.map(([, v]) => v as SqlStorageValue),
      commandId,
    );
  }

  private bumpJob(): void {
    // The counters are derived from the host rows: any host change makes the job row dirty.
    if (this.dirtyHosts()) this.sql.exec("UPDATE job SET version = version + 1");
  }

  private channel(hostId: string) {
    return this.env.HOSTS.get(this.env.HOSTS.idFromName(hostId));
  }

  private async forEachLimited<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
    for (let i = 0; i < items.length; i += ENQUEUE_CONCURRENCY) {
      await Promise.all(items.slice(i, i + ENQUEUE_CONCURRENCY).map(fn));
    }
  }
}
