import type { AgentMessage, HealthCheckSpec, HealthResult } from "@fleetgate/contract/agent";
import type { Logger } from "../log";
import { runHealthCheck } from "./health";

/** How long a health gate waits for the server to send the host's checks. */
const GATE_TIMEOUT_MS = 30_000;

export type GatePhase = "pre" | "post";

/** A gate's verdict: healthy when every check passed; `detail` names the failed ones. */
export interface GateVerdict {
  healthy: boolean;
  detail: string;
  results: HealthResult[];
}

/**
 * The health gates of gated applies (docs/patching.md "Rings"): each asks the server for the
 * host's checks (`health_gate`), waits for them (`health_gate_checks`), runs them and reports
 * the results (`health_gate_results`).
 */
export class HealthGate {
  /** Gates waiting for the server's `health_gate_checks`. */
  private readonly waiting = new Map<string, (checks: HealthCheckSpec[] | null) => void>();

  constructor(
    private readonly send: (frame: AgentMessage) => Promise<boolean>,
    private readonly log: Logger,
  ) {}

  /** Asks the server for the host's checks, runs them, reports the results; healthy when every one passed. */
  async check(jobId: string, phase: GatePhase): Promise<GateVerdict> {
    const requestId = crypto.randomUUID();
    const checks = await new Promise<HealthCheckSpec[] | null>((resolve) => {
      const finish = (c: HealthCheckSpec[] | null) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve(c);
      };
      const timer = setTimeout(() => finish(null), GATE_TIMEOUT_MS);
      this.waiting.set(requestId, finish);
      // Not connected: the gate fails closed (no checks known is not "healthy").
      void this.send({ type: "health_gate", request_id: requestId, job_id: jobId, phase }).then((sent) => {
        if (!sent) finish(null);
      });
    });
    if (checks === null) {
      return { healthy: false, detail: "the server did not send the host's health checks", results: [] };
    }
    const results: HealthResult[] = [];
    for (const check of checks) results.push(await runHealthCheck(check));
    if (results.length > 0) {
      await this.send({ type: "health_gate_results", job_id: jobId, phase, results });
    }
    const failed = results.filter((r) => !r.healthy);
    const detail = failed.map((r) => `${r.check_id}: ${r.detail}`).join("; ");
    this.log.info(`health gate ${phase}`, { job_id: jobId, checks: results.length, failed: failed.length });
    return { healthy: failed.length === 0, detail, results };
  }

  /** `health_gate_checks`: the checks a waiting gate asked for. */
  onChecks(requestId: string, checks: HealthCheckSpec[]): void {
    this.waiting.get(requestId)?.(checks);
  }
}
