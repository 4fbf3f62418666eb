import type { HostCommand } from "@fleetgate/contract";
import type { CommandRow, CommandState } from "./host-channel.types";

/** Ended commands are kept this long (late duplicates, a cancel repeated on the next hello). */
export const RETENTION_MS = 24 * 3_600_000;

/**
 * The host's durable command queue (`commands`): every command until 24 h
 * after it ended. The command id is the job_hosts row id, so a re-enqueue of
 * the same command is recognised.
 */
export class CommandQueue {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
        CREATE TABLE IF NOT EXISTS commands (
          command_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, host_id TEXT NOT NULL, reqid TEXT NOT NULL,
          script TEXT NOT NULL, args TEXT NOT NULL, timeout_seconds INTEGER NOT NULL, expires_at INTEGER NOT NULL,
          state TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS commands_state ON commands (state, expires_at);
      `);
  }

  get(id: string): CommandRow | undefined {
    return this.sql.exec<CommandRow>("SELECT * FROM commands WHERE command_id = ?", id).toArray()[0];
  }

  /**
   * Stores a new command unless its id is known (one statement); undefined for a known id
   * (a re-enqueue after a JobRun reset), whose row the caller then reads.
   */
  insertNew(cmd: HostCommand, state: "queued" | "sent", now: number): CommandRow | undefined {
    return this.sql
      .exec<CommandRow>(
        `INSERT INTO commands (command_id, job_id, host_id, reqid, script, args, timeout_seconds, expires_at, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (command_id) DO NOTHING RETURNING *`,
        cmd.command_id,
        cmd.job_id,
        cmd.host_id,
        cmd.reqid,
        cmd.script,
        JSON.stringify(cmd.args),
        cmd.timeout_seconds,
        cmd.expires_at,
        state,
        now,
        now,
      )
      .toArray()[0];
  }

  /**
   * Moves a command to `to` if its state is one of `from` (one statement: the guarded `UPDATE`
   * returns what the report needs); undefined when the command is unknown or in another state.
   */
  advance(
    id: string,
    from: readonly CommandState[],
    to: CommandState,
    now: number,
  ): Pick<CommandRow, "command_id" | "job_id" | "host_id"> | undefined {
    return this.sql
      .exec<Pick<CommandRow, "command_id" | "job_id" | "host_id">>(
        `UPDATE commands SET state = ?, updated_at = ? WHERE command_id = ?
         AND state IN (${from.map(() => "?").join(", ")}) RETURNING command_id, job_id, host_id`,
        to,
        now,
        id,
        ...from,
      )
      .toArray()[0];
  }

  setState(id: string, state: CommandState, now: number): void {
    this.sql.exec("UPDATE commands SET state = ?, updated_at = ? WHERE command_id = ?", state, now, id);
  }

  /** Whether any command has no result yet. */
  hasOpen(): boolean {
    return (
      this.sql
        .exec<{ open: number }>(
          "SELECT EXISTS (SELECT 1 FROM commands WHERE state IN ('queued', 'sent', 'acked')) AS open",
        )
        .one().open === 1
    );
  }

  /**
   * What a hello re-delivers, in one read: the commands without a result (oldest first) and the
   * ids of those cancelled within the retention window (their cancel is repeated).
   */
  forHello(now: number): { open: CommandRow[]; cancelled: string[] } {
    const open: CommandRow[] = [];
    const cancelled: string[] = [];
    for (const c of this.sql
      .exec<CommandRow>(
        `SELECT * FROM commands WHERE state IN ('queued', 'sent', 'acked')
           OR (state = 'cancelled' AND updated_at > ?) ORDER BY created_at`,
        now - RETENTION_MS,
      )
      .toArray()) {
      if (c.state === "cancelled") cancelled.push(c.command_id);
      else open.push(c);
    }
    return { open, cancelled };
  }

  /** Queued commands whose time in the queue is over. */
  expiredQueued(now: number): CommandRow[] {
    return this.sql
      .exec<CommandRow>("SELECT * FROM commands WHERE state = 'queued' AND expires_at <= ?", now)
      .toArray();
  }

  /** Drops ended commands past retention. */
  purge(now: number): void {
    this.sql.exec(
      "DELETE FROM commands WHERE state IN ('done', 'cancelled', 'expired') AND updated_at < ?",
      now - RETENTION_MS,
    );
  }

  /** When the alarm is next needed for the queue: first queue expiry, first retention purge. */
  wakeTimes(): number[] {
    const out: number[] = [];
    const queued = this.sql
      .exec<{ t: number | null }>("SELECT min(expires_at) AS t FROM commands WHERE state = 'queued'")
      .one().t;
    if (queued !== null) out.push(queued);
    const oldest = this.sql
      .exec<{ t: number | null }>(
        "SELECT min(updated_at) AS t FROM commands WHERE state IN ('done', 'cancelled', 'expired')",
      )
      .one().t;
    if (oldest !== null) out.push(oldest + RETENTION_MS);
    return out;
  }

  countsByState(): Record<string, number> {
    const commands: Record<string, number> = {};
    for (const r of this.sql
      .exec<{ state: string; n: number }>("SELECT state, count(*) AS n FROM commands GROUP BY state")
      .toArray()) {
      commands[r.state] = r.n;
    }
    return commands;
  }
}
