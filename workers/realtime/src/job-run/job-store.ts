import { type JobHostStatus, JobPlan } from "@fleetgate/contract";
import { FAILURE_STATUSES } from "../job-state";
import type { HostPatch, HostRow, JobMeta, JobProgress } from "./job-run.types";
import { NOT_FOUND } from "./job-run.types";
import { startsPending } from "./job-schedule";

/**
 * `markDeliveredMany`'s statement. The unary `+` keeps SQLite off the `hosts_status` index: with
 * it the plan walked every dispatched host and scanned the whole JSON array for each (quadratic
 * in the wave: 10 % of a 1,000-host job's CPU); without it, one primary-key lookup per mark.
 */
export const MARK_DELIVERED_SQL = `UPDATE hosts SET delivery = w.d, version = version + 1
  FROM (SELECT value ->> '$.c' AS c, value ->> '$.d' AS d FROM json_each(?)) AS w
  WHERE hosts.command_id = w.c AND +hosts.status = 'dispatched' RETURNING hosts.seq`;

/**
 * The JobRun's SQLite: the `job` row (plan, status, versions) and one `hosts`
 * row per target. Every change bumps `version`; rows with `version >
 * synced_version` are what the D1 write-back still owes. The plan and the
 * per-status counts are kept in memory (the plan never changes; the counts are
 * read once and then moved along with each status change), and every query on
 * a report's path reads an index, never a scan of the job's hosts: a report
 * costs the same for a 10-host job as for a 5,000-host one.
 */
export class JobStore {
  private planCache: JobPlan | undefined;
  private countsCache: Partial<Record<JobHostStatus, number>> | undefined;
  /** The job row as last read; dropped by every write to it. */
  private metaCache: JobMeta | undefined;
  /** A host row changed since the last `bumpJob` (true at start: rows may be dirty from before a reset). */
  private hostsTouched = true;

  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
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
        CREATE INDEX IF NOT EXISTS hosts_undelivered ON hosts (seq) WHERE status = 'dispatched' AND delivery IS NULL;
        CREATE INDEX IF NOT EXISTS hosts_deadline ON hosts (deadline)
          WHERE status IN ('dispatched', 'running') AND deadline IS NOT NULL;
      `);
    // Columns added after the table existed (reboots): objects created earlier get them here.
    const columns = new Set(
      this.sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('hosts')")
        .toArray()
        .map((c) => c.name),
    );
    for (const column of ["stage", "boot_id_before", "kernel_before"]) {
      if (!columns.has(column)) this.sql.exec(`ALTER TABLE hosts ADD COLUMN ${column} TEXT`);
    }
  }

  /** Forgets the in-memory caches (after the storage was wiped). */
  reset(): void {
    this.planCache = undefined;
    this.countsCache = undefined;
    this.metaCache = undefined;
    this.hostsTouched = true;
  }

  /** Reads the job row afresh next time (the alarm starts from storage, not from memory). */
  forgetMeta(): void {
    this.metaCache = undefined;
  }

  /** Creates the job and its hosts, all `pending`. */
  create(plan: JobPlan, now: number): void {
    // A job waiting for its window is `pending` (not started) until the alarm starts it.
    const pending = startsPending(plan, now);
    this.sql.exec(
      "INSERT INTO job (id, plan, status, started_at) VALUES (1, ?, ?, ?)",
      JSON.stringify(plan),
      pending ? "pending" : "running",
      pending ? null : now,
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
    this.countsCache = { pending: plan.hosts.length };
    this.metaCache = undefined;
  }

  /** The job row without its plan (the plan can be large: read once, below). Cached until the row is written. */
  meta(): JobMeta | undefined {
    this.metaCache ??= this.sql
      .exec<JobMeta>(
        "SELECT status, cancel_requested, stop_reason, started_at, completed_at, version, synced_version FROM job WHERE id = 1",
      )
      .toArray()[0];
    return this.metaCache;
  }

  /** The plan; `_meta` proves the job exists. Parsed once per instance. */
  plan(_meta: JobMeta): JobPlan {
    this.planCache ??= JobPlan.parse(
      JSON.parse(this.sql.exec<{ plan: string }>("SELECT plan FROM job WHERE id = 1").one().plan),
    );
    return this.planCache;
  }

  /** Hosts per status (read once, then kept up to date by `updateHost`). */
  counts(): Partial<Record<JobHostStatus, number>> {
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

  /** Hosts in a status that counts against the error threshold. */
  failures(): number {
    const counts = this.counts();
    return [...FAILURE_STATUSES].reduce((n, s) => n + (counts[s] ?? 0), 0);
  }

  host(commandId: string): HostRow | undefined {
    return this.sql.exec<HostRow>("SELECT * FROM hosts WHERE command_id = ?", commandId).toArray()[0];
  }

  /** Hosts matching a fixed WHERE clause, in target order. */
  hostsWhere(where: string, ...params: SqlStorageValue[]): HostRow[] {
    return this.sql.exec<HostRow>(`SELECT * FROM hosts WHERE ${where} ORDER BY seq`, ...params).toArray();
  }

  /** The next `limit` pending hosts, in target order. */
  nextWave(limit: number): HostRow[] {
    return this.sql.exec<HostRow>("SELECT * FROM hosts WHERE status = 'pending' ORDER BY seq LIMIT ?", limit).toArray();
  }

  /** Host ids of the next `limit` pending hosts, in target order. */
  pendingHostIds(limit: number): string[] {
    return this.sql
      .exec<{ host_id: string }>("SELECT host_id FROM hosts WHERE status = 'pending' ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((r) => r.host_id);
  }

  count(where: string, ...params: SqlStorageValue[]): number {
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM hosts WHERE ${where}`, ...params).one().n;
  }

  /** Hosts in any of `statuses` (from the counts, no query). */
  countIn(statuses: readonly JobHostStatus[]): number {
    const counts = this.counts();
    return statuses.reduce((n, s) => n + (counts[s] ?? 0), 0);
  }

  /**
   * Writes `patch` to a host row. `from`: the status the caller just read for the row; a status
   * change is then one guarded `UPDATE … AND status = from` (no read of the old status), and only
   * when the row had moved on meanwhile is the status read and the row written unguarded.
   */
  updateHost(commandId: string, patch: HostPatch, from?: JobHostStatus): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    this.hostsTouched = true;
    const assignments = entries.map(([k]) => `${k} = ?`).join(", ");
    const values = entries.map(([, v]) => v as SqlStorageValue);
    const to = typeof patch.status === "string" ? (patch.status as JobHostStatus) : undefined;
    if (to !== undefined && from !== undefined) {
      const guarded = this.sql.exec(
        `UPDATE hosts SET ${assignments}, version = version + 1 WHERE command_id = ? AND status = ?`,
        ...values,
        commandId,
        from,
      );
      guarded.toArray();
      if (guarded.rowsWritten > 0) {
        this.moveCountFrom(from, to);
        return;
      }
    }
    if (to !== undefined) this.moveCount(commandId, to);
    this.sql.exec(`UPDATE hosts SET ${assignments}, version = version + 1 WHERE command_id = ?`, ...values, commandId);
  }

  /** Marks a dispatched command as handed to its channel (no status change); false when the host moved on. */
  markDelivered(commandId: string, delivery: "queued" | "sent"): boolean {
    return this.markDeliveredMany([{ command_id: commandId, delivery }]) === 1;
  }

  /**
   * `markDelivered` for many commands in one statement (the channels' answers gathered over one
   * event-loop turn); a host acked, ended or cancelled meanwhile is left as it is. Returns how
   * many rows were marked.
   */
  markDeliveredMany(marks: readonly { command_id: string; delivery: "queued" | "sent" }[]): number {
    if (marks.length === 0) return 0;
    const marked = this.sql
      .exec(MARK_DELIVERED_SQL, JSON.stringify(marks.map((m) => ({ c: m.command_id, d: m.delivery }))))
      .toArray().length;
    if (marked > 0) this.hostsTouched = true;
    return marked;
  }

  /** Moves one host from its current status (read here) to `to` in the in-memory counts. */
  private moveCount(commandId: string, to: JobHostStatus): void {
    if (!this.countsCache) return; // Read afresh on the next counts().
    const from = this.sql
      .exec<{ status: JobHostStatus }>("SELECT status FROM hosts WHERE command_id = ?", commandId)
      .toArray()[0]?.status;
    if (from !== undefined) this.moveCountFrom(from, to);
  }

  private moveCountFrom(from: JobHostStatus, to: JobHostStatus): void {
    const counts = this.countsCache;
    if (!counts || from === to) return;
    counts[from] = (counts[from] ?? 1) - 1;
    counts[to] = (counts[to] ?? 0) + 1;
    if (counts[from] === 0) delete counts[from];
  }

  /** Changes the job row (a fixed SET clause) and marks it dirty. */
  updateJob(set: string, ...params: SqlStorageValue[]): void {
    this.metaCache = undefined;
    this.sql.exec(`UPDATE job SET ${set}, version = version + 1`, ...params);
  }

  /** The counters are derived from the host rows: any host change makes the job row dirty. */
  bumpJob(): void {
    if (!this.hostsTouched) return;
    this.hostsTouched = false;
    // A host row changed since the last bump: one statement, no check whether a write-back
    // synced it meanwhile (a needless bump only writes the job row to D1 once more).
    this.metaCache = undefined;
    this.sql.exec("UPDATE job SET version = version + 1");
  }

  /** Something is not yet in D1. */
  dirty(): boolean {
    const n = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM (SELECT 1 FROM hosts WHERE version > synced_version LIMIT 1)")
      .one().n;
    const m = this.meta();
    return n > 0 || (m !== undefined && m.version > m.synced_version);
  }

  /** Up to `limit` host rows D1 has not seen in their current version. */
  unsynced(limit: number): HostRow[] {
    return this.sql
      .exec<HostRow>("SELECT * FROM hosts WHERE version > synced_version ORDER BY seq LIMIT ?", limit)
      .toArray();
  }

  markSynced(rows: readonly Pick<HostRow, "command_id" | "version">[], jobVersion: number | undefined): void {
    if (rows.length > 0) {
      // One statement for the chunk: each row is marked with the version that was written.
      this.sql.exec(
        `UPDATE hosts SET synced_version = w.v
         FROM (SELECT value ->> '$.c' AS c, value ->> '$.v' AS v FROM json_each(?)) AS w
         WHERE hosts.command_id = w.c`,
        JSON.stringify(rows.map((r) => ({ c: r.command_id, v: r.version }))),
      );
    }
    if (jobVersion !== undefined) {
      this.metaCache = undefined;
      this.sql.exec("UPDATE job SET synced_version = ?", jobVersion);
    }
  }

  /** Earliest deadline of a host still waiting for its agent. */
  nextDeadline(): number | null {
    return this.sql
      .exec<{ t: number | null }>(
        "SELECT min(deadline) AS t FROM hosts WHERE status IN ('dispatched', 'running') AND deadline IS NOT NULL",
      )
      .one().t;
  }

  /** Current progress without output. */
  progress(): JobProgress {
    const meta = this.meta();
    if (!meta) return NOT_FOUND;
    const hosts = this.sql
      .exec<HostRow>(
        "SELECT seq, host_id, host_name, command_id, status, stage, delivery, error, dispatched_at, acked_at, completed_at FROM hosts ORDER BY seq",
      )
      .toArray()
      .map((h) => ({
        host_id: h.host_id,
        host_name: h.host_name,
        command_id: h.command_id,
        status: shownStatus(h),
        delivery: h.delivery,
        error: h.error,
        dispatched_at: h.dispatched_at,
        acked_at: h.acked_at,
        completed_at: h.completed_at,
      }));
    return { found: true, status: meta.status, complete: meta.completed_at !== null, hosts };
  }
}

/** The status a host shows outside this object: `rebooting` while its running command waits for the reboot. */
export function shownStatus(h: Pick<HostRow, "status" | "stage">): JobHostStatus {
  return h.status === "running" && h.stage === "rebooting" ? "rebooting" : h.status;
}
