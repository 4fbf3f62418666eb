import type { HostReport } from "@fleetgate/contract";
import { CoalescedRun } from "../shared/coalesced-run";
import { yieldTurn } from "../shared/yield-turn";
import type { JobStore } from "./job-store";
import type { JobTransitions } from "./job-transitions";

/** One caller's reports and, once its round ran, how many of them changed something. */
interface Queued {
  reports: readonly HostReport[];
  applied: number;
}

/**
 * The JobRun's incoming reports (each HostChannel's outbox: ack, result, queue expiry), applied in
 * rounds. A report waits one turn of the event loop; every report that arrived meanwhile (from any
 * channel) is applied with it, then `afterChange` runs once, all in one synchronous step of the
 * object — so one storage commit stores the round, instead of one commit per report plus one for
 * the round's `afterChange` (counted with `BENCH_SYSCALLS=1 node bench/profile.mjs job`).
 *
 * Durability is unchanged: a caller's promise (the RPC's answer) resolves only after its round,
 * and the output gate holds the answer until the round's writes are committed, so a HostChannel
 * never drops a report the JobRun has not stored. Reports are idempotent by command id: a reset
 * before the round only means the channel delivers them again.
 */
export class ReportIntake {
  private queued: Queued[] = [];
  /** A change outside the reports (a reboot confirmation) that needs the next round's `afterChange`. */
  private changed = false;
  private readonly rounds: CoalescedRun;

  constructor(
    private readonly store: JobStore,
    private readonly transitions: JobTransitions,
    afterChange: () => Promise<void>,
  ) {
    this.rounds = new CoalescedRun(async () => {
      const round = this.queued.splice(0);
      let changed = this.changed;
      this.changed = false;
      for (const q of round) {
        q.applied = await this.apply(q.reports);
        if (q.applied > 0) changed = true;
      }
      if (changed) await afterChange();
    }, yieldTurn);
  }

  /** Consecutive reports of one channel, applied in order in the next round; how many changed something. */
  async add(reports: readonly HostReport[]): Promise<number> {
    const queued: Queued = { reports, applied: 0 };
    this.queued.push(queued);
    await this.rounds.run();
    return queued.applied;
  }

  /** Runs `afterChange` in the next round for a change made outside the reports. */
  settle(): Promise<void> {
    this.changed = true;
    return this.rounds.run();
  }

  /** Applies one channel's reports in order (each written to storage first). */
  private async apply(reports: readonly HostReport[]): Promise<number> {
    const meta = this.store.meta();
    if (!meta) return 0;
    const plan = this.store.plan(meta);
    let applied = 0;
    for (let i = 0; i < reports.length; i++) {
      const report = reports[i];
      if (!report) continue;
      // Read per report: an ack and the result of the same host come in one batch.
      const host = this.store.host(report.command_id);
      if (!host || host.host_id !== report.host_id) continue;
      const next = reports[i + 1];
      if (
        report.type === "ack" &&
        next?.type === "result" &&
        next.command_id === report.command_id &&
        next.host_id === report.host_id &&
        (await this.transitions.ackAndResult(host, report, next, plan))
      ) {
        // The ack and its result in one transition (both applied).
        applied += 2;
        i++;
        continue;
      }
      if (await this.transitions.apply(host, report, plan)) applied++;
    }
    return applied;
  }
}
