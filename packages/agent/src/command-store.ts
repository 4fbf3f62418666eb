import { readFile } from "node:fs/promises";
import path from "node:path";
import { Result } from "@fleetgate/contract/agent";
import { z } from "zod";
import { writeFileDurable } from "./fs-atomic";

/** A `result` frame. */
export type ResultFrame = z.infer<typeof Result>;

const StoredCommand = z.object({
  command_id: z.string(),
  reqid: z.string(),
  script: z.string(),
  expires_at: z.number(),
  received_at: z.number(),
  /** `running` is written before the process is spawned; `done` once the result is known. */
  state: z.enum(["running", "done"]),
  result: Result.optional(),
  /** True once the result was handed to an open socket. */
  delivered: z.boolean().default(false),
});
export type StoredCommand = z.infer<typeof StoredCommand>;

const StoreFile = z.object({ version: z.literal(1), commands: z.array(StoredCommand) });

/** Commands kept for duplicate detection once they are delivered and expired. */
export const MAX_STORED_COMMANDS = 1000;
/** Bytes of stdout+stderr kept across stored results; older delivered results lose their output first. */
export const MAX_STORED_OUTPUT_BYTES = 8 * 1024 * 1024;

/**
 * commands.json: every command id this agent has accepted, with its result. It is the
 * agent's memory against running a command twice, so it is written (fsync + rename)
 * before a process is spawned, and a corrupt file stops the agent instead of being
 * silently replaced. Entries are dropped only once delivered and past `expires_at`
 * (a later duplicate would then be refused as expired), oldest first.
 */
export class CommandStore {
  private readonly commands = new Map<string, StoredCommand>();
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  private constructor(private readonly file: string) {}

  /** Loads the store; commands left `running` by a crash become results with `error: "interrupted"`. */
  static async open(stateDir: string, now = Date.now()): Promise<{ store: CommandStore; interrupted: string[] }> {
    const file = path.join(stateDir, "commands.json");
    const store = new CommandStore(file);
    let text: string | null = null;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
    const interrupted: string[] = [];
    if (text !== null) {
      let parsed: z.infer<typeof StoreFile>;
      try {
        parsed = StoreFile.parse(JSON.parse(text));
      } catch {
        throw new Error(`${file} is corrupt; refusing to start without the record of commands already run`);
      }
      for (const entry of parsed.commands) {
        if (entry.state === "running") {
          entry.state = "done";
          entry.delivered = false;
          entry.result = {
            type: "result",
            command_id: entry.command_id,
            exit_code: null,
            error: "interrupted",
            stdout: "",
            stderr: "",
            truncated: false,
            started_at: entry.received_at,
            finished_at: now,
          };
          interrupted.push(entry.command_id);
        }
        store.commands.set(entry.command_id, entry);
      }
      if (interrupted.length > 0) await store.persist();
    }
    return { store, interrupted };
  }

  get(commandId: string): StoredCommand | undefined {
    return this.commands.get(commandId);
  }

  /**
   * Records a command as running. The in-memory entry exists as soon as this is called
   * (so a duplicate arriving meanwhile is seen); the promise resolves once it is on disk.
   */
  begin(entry: Omit<StoredCommand, "state" | "delivered" | "result">): Promise<void> {
    this.commands.set(entry.command_id, { ...entry, state: "running", delivered: false });
    return this.persist();
  }

  /** Records a command as done with `result` (also for commands refused without running). */
  finish(entry: Omit<StoredCommand, "state" | "delivered" | "result">, result: ResultFrame): Promise<void> {
    this.commands.set(entry.command_id, { ...entry, state: "done", delivered: false, result });
    return this.persist();
  }

  markDelivered(commandId: string): Promise<void> {
    const entry = this.commands.get(commandId);
    if (!entry || entry.delivered || entry.state !== "done") return this.writing;
    entry.delivered = true;
    return this.persist();
  }

  /** Finished commands whose result has not reached a socket yet, oldest first. */
  undelivered(): StoredCommand[] {
    return [...this.commands.values()].filter((c) => c.state === "done" && !c.delivered);
  }

  size(): number {
    return this.commands.size;
  }

  private prune(now: number): void {
    let excess = this.commands.size - MAX_STORED_COMMANDS;
    for (const [id, entry] of this.commands) {
      if (excess <= 0) break;
      if (entry.state === "done" && entry.delivered && entry.expires_at < now) {
        this.commands.delete(id);
        excess--;
      }
    }
    let bytes = 0;
    for (const entry of this.commands.values()) {
      bytes += (entry.result?.stdout.length ?? 0) + (entry.result?.stderr.length ?? 0);
    }
    for (const entry of this.commands.values()) {
      if (bytes <= MAX_STORED_OUTPUT_BYTES) break;
      const result = entry.result;
      if (!entry.delivered || !result || (result.stdout === "" && result.stderr === "")) continue;
      bytes -= result.stdout.length + result.stderr.length;
      entry.result = { ...result, stdout: "", stderr: "", truncated: true };
    }
  }

  /**
   * Serialised, coalesced writes: each snapshots the whole store when it starts, so a call
   * made while another write is still queued (not started) can share that queued write.
   */
  private persist(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.writing.then(async () => {
      this.queued = null;
      this.prune(Date.now());
      const body = JSON.stringify({ version: 1, commands: [...this.commands.values()] });
      await writeFileDurable(this.file, body, 0o600);
    });
    // A failed write must not wedge later ones; callers still see this write's error.
    this.writing = next.catch(() => {});
    this.queued = next;
    return next;
  }

  /** Resolves when every write issued so far has finished. */
  flush(): Promise<void> {
    return this.writing;
  }
}
