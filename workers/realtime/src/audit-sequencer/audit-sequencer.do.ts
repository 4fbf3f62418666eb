import { DurableObject } from "cloudflare:workers";
import { latestCheckpoint, logAt, sealPending, signCheckpoint } from "@fleetgate/domain";
import { z } from "zod";
import { DomainAccess } from "../shared/domain-access";

/** Delay between a wake-up and the seal: lets a burst of writes land in one round. */
export const SEAL_DELAY_MS = 500;
/** After a round that sealed something, look again this soon (writes that came during the round). */
const RECHECK_MS = 2_000;
/** At most one checkpoint per this interval while the ledger grows. */
export const CHECKPOINT_EVERY_MS = 10_000;
/** Seal rounds per alarm before yielding (the rest goes to the next alarm, immediately). */
const ROUNDS_PER_ALARM = 25;

const SealOptions = z.object({ checkpoint: z.boolean().default(false) }).default({ checkpoint: false });

export interface SealReport {
  sealed: number;
  size: number;
  headHash: string;
  /** Size of the newest checkpoint after this call (0 if none yet). */
  checkpointSize: number;
  /** Unsealed entries remained when the round limit was reached. */
  more: boolean;
}

/**
 * The audit ledger's single sequencer (`idFromName("ledger")`, see docs/auth.md):
 * woken after audited writes and by its alarm, it seals unsealed audit entries
 * in insertion order (ledger-seal.service.ts) and signs a checkpoint at most
 * every CHECKPOINT_EVERY_MS. It keeps no state of its own: the sealed head lives
 * in D1, so an eviction mid-seal loses nothing (the D1 batch either committed or
 * not) and a replayed round cannot seal an entry twice.
 */
export class AuditSequencer extends DurableObject<Env> {
  /** Rounds run one at a time within this instance. */
  private chain: Promise<unknown> = Promise.resolve();
  private alarmAt: number | null | undefined;
  private readonly domain = new DomainAccess(this.env, "audit-ledger");

  /** Called after writes (best effort): seals within SEAL_DELAY_MS. Never postpones a pending alarm. */
  async wake(): Promise<void> {
    await this.armAt(Date.now() + SEAL_DELAY_MS);
  }

  /** Seals everything pending now (and, when asked, signs a checkpoint of the result). */
  async seal(raw?: unknown): Promise<SealReport> {
    const opts = SealOptions.parse(raw);
    return this.serial(() => this.sealAll(opts.checkpoint, Number.POSITIVE_INFINITY));
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const report = await this.serial(() => this.sealAll(false, ROUNDS_PER_ALARM));
    const now = Date.now();
    if (report.more) await this.armAt(now);
    else if (report.sealed > 0) await this.armAt(now + RECHECK_MS);
    else if (report.size > report.checkpointSize) await this.armAt(now + CHECKPOINT_EVERY_MS);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async sealAll(forceCheckpoint: boolean, maxRounds: number): Promise<SealReport> {
    const ctx = await this.domain.context();
    const db = ctx.db;
    const keys = ctx.keys.ledger;
    let sealed = 0;
    let round = await sealPending(db, keys);
    sealed += round.sealed;
    for (let i = 1; round.more && i < maxRounds; i++) {
      round = await sealPending(db, keys);
      sealed += round.sealed;
    }
    const last = await latestCheckpoint(db);
    let checkpointSize = last?.size ?? 0;
    const now = Date.now();
    const due = !last || last.at + CHECKPOINT_EVERY_MS <= now;
    if (round.size > checkpointSize && (forceCheckpoint || due)) {
      await signCheckpoint(db, keys, round, now);
      checkpointSize = round.size;
    }
    if (sealed > 0) logAt(this.env.LOG_LEVEL, "debug", "audit entries sealed", { sealed, size: round.size });
    return { sealed, size: round.size, headHash: round.headHash, checkpointSize, more: round.more };
  }

  /** Sets the alarm to `at` unless one is due sooner (cached: one storage read per instance). */
  private async armAt(at: number): Promise<void> {
    this.alarmAt ??= await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > at) {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    }
  }
}
