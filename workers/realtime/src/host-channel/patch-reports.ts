import type { HealthCheckSpec, HealthResult } from "@fleetgate/contract";
import { type HealthRunOutcome, type InventoryReport, ingestInventory, logAt } from "@fleetgate/domain";
import type { DomainAccess } from "../shared/domain-access";

/**
 * Inventory reports of one host's agent: stored one after another (a diff is only valid
 * against the state the previous report left), each answered with `inventory_ack`.
 */
export class InventoryInbox {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly domain: DomainAccess,
    private readonly logLevel: string | undefined,
  ) {}

  /** Stores the report; `ack` receives the hash now held, or null when the agent must send everything. */
  receive(hostId: string, report: InventoryReport, ack: (hash: string | null) => void): Promise<void> {
    const next = this.chain.then(async () => {
      try {
        const outcome = await ingestInventory(await this.domain.context(), hostId, report, Date.now());
        if (!outcome.stored) {
          logAt(this.logLevel, "info", "inventory not stored; asking for the whole inventory", {
            host_id: hostId,
            reason: outcome.reason,
          });
        }
        ack(outcome.stored ? outcome.hash : null);
      } catch (err) {
        // Nothing was written (one batch): the agent keeps its base and reports again later.
        logAt(this.logLevel, "error", "storing an inventory failed", { host_id: hostId, error: String(err) });
      }
    });
    this.chain = next;
    return next;
  }
}

interface PendingRun {
  deadline: number;
  timeoutS: number;
  count: number;
  resolve: (o: HealthRunOutcome) => void;
}

/** Health-check requests sent to the agent and waiting for its `health_results` (or their deadline). */
export class HealthRequests {
  private readonly pending = new Map<string, PendingRun>();

  /** Registers a request; resolves when the agent answers, the deadline passes or the connection closes. */
  open(requestId: string, checks: HealthCheckSpec[], timeoutMs: number): Promise<HealthRunOutcome> {
    return new Promise((resolve) => {
      this.pending.set(requestId, {
        deadline: Date.now() + timeoutMs,
        timeoutS: Math.ceil(timeoutMs / 1000),
        count: checks.length,
        resolve,
      });
    });
  }

  answer(requestId: string, results: HealthResult[]): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    if (results.length !== p.count) {
      p.resolve({ ok: false, error: `the agent answered ${results.length} of ${p.count} checks` });
      return;
    }
    p.resolve({ ok: true, results });
  }

  expire(now: number): void {
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(id);
        p.resolve({ ok: false, error: `the agent did not answer within ${p.timeoutS}s` });
      }
    }
  }

  settle(error: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve({ ok: false, error });
    }
  }

  deadlines(): number[] {
    return [...this.pending.values()].map((p) => p.deadline);
  }
}
