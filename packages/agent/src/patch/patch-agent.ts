import type { AgentMessage, HealthCheckSpec, HealthResult, Run } from "@fleetgate/contract/agent";
import type { z } from "zod";
import type { PatchingConfig } from "../config";
import type { Execution } from "../executor";
import type { Logger } from "../log";
import type { Rebooter } from "../reboot/rebooter";
import { createBackend, patchEnv } from "./backend-select";
import { runHealthCheck } from "./health";
import { HealthGate } from "./health-gate";
import { InventoryReporter, type UpdateLists } from "./inventory-reporter";
import type { PackageBackend } from "./package-backend";
import type { PackageEnv } from "./package-env";
import { PackageRunner } from "./package-runner";
import { patchBuiltins } from "./patch-builtins";
import { Vault } from "./vault";

export interface PatchAgentOptions {
  config: PatchingConfig;
  stateDir: string;
  logger: Logger;
  send: (frame: AgentMessage) => Promise<boolean>;
  /** Tests: a prepared environment instead of the one the config names. */
  env?: PackageEnv;
  /** The agent's one package runner (shared with its package self-upgrade, so package commands never overlap). */
  runner?: PackageRunner;
  /** Reboots after an apply that allows them (absent: such an apply never reboots and says why). */
  rebooter?: Rebooter;
}

/**
 * The agent's patch-management side of the connection (docs/patching.md, "Inventory"): reports
 * the inventory on connect (a diff when the server holds the same base), on `refresh` and on a
 * schedule, one report at a time (inventory-reporter.ts); runs the built-in patch commands
 * (patch-builtins.ts) with their health gates (health-gate.ts); answers `health_check` requests.
 */
export class PatchAgent {
  readonly env: PackageEnv;
  readonly backend: PackageBackend;
  private readonly runner: PackageRunner;
  private readonly reporter: InventoryReporter;
  private readonly gate: HealthGate;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PatchAgentOptions) {
    this.env = options.env ?? options.runner?.env ?? patchEnv(options.config);
    this.runner = options.runner && options.runner.env === this.env ? options.runner : new PackageRunner(this.env);
    this.backend = createBackend(this.runner, new Vault(this.env.vaultDir));
    this.reporter = new InventoryReporter({ ...options, backend: this.backend, env: this.env });
    this.gate = new HealthGate(options.send, options.logger);
  }

  /** Starts the schedule (reports also go out on every connect). */
  start(): void {
    if (!this.options.config.enabled || this.timer) return;
    this.timer = setInterval(
      () => void this.report({ updateLists: "if-stale" }),
      this.options.config.pollIntervalSeconds * 1000,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** After `welcome`: the server holds `hash` (null: nothing); report against it. */
  onConnected(hash: string | null): Promise<void> {
    this.reporter.serverHolds(hash);
    return this.report({ updateLists: false });
  }

  /** `POST /hosts/{id}/refresh`: refresh the package lists, then report. */
  onRefresh(): Promise<void> {
    return this.report({ updateLists: true });
  }

  /** `inventory_ack`: remember what the server holds; send everything when it could not use a diff. */
  onAck(hash: string | null, fullNeeded: boolean): Promise<void> {
    return this.reporter.onAck(hash, fullNeeded);
  }

  /** The built-in patch commands (patch-builtins.ts); after each, the inventory is reported. */
  builtins(): Map<string, (run: z.infer<typeof Run>) => Execution> {
    return patchBuiltins({
      config: this.options.config,
      backend: this.backend,
      gate: this.gate,
      logger: this.options.logger,
      rebooter: this.options.rebooter,
      afterRun: () => void this.report({ updateLists: false }),
    });
  }

  /** `health_gate_checks`: the checks a waiting gate asked for. */
  onGateChecks(requestId: string, checks: HealthCheckSpec[]): void {
    this.gate.onChecks(requestId, checks);
  }

  /** `health_check`: run the checks (one after another) and answer with every result. */
  async onHealthCheck(requestId: string, checks: HealthCheckSpec[]): Promise<void> {
    const results: HealthResult[] = [];
    for (const check of checks) {
      if (!this.options.config.enabled) {
        results.push({
          check_id: check.id,
          healthy: false,
          detail: "patching is not enabled on this agent",
          latency_ms: 0,
        });
      } else {
        results.push(await runHealthCheck(check));
      }
    }
    await this.options.send({ type: "health_results", request_id: requestId, results });
  }

  /**
   * Collects and sends one report that starts after this call; reports run one at a time and
   * requests made while one waits to start share it (`updateLists` if any of them asked).
   */
  report(opts: { updateLists: UpdateLists }): Promise<void> {
    return this.reporter.report(opts);
  }
}
