import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type AgentMessage,
  type ApplyReport,
  decodePlanArgs,
  decodeRemoveArgs,
  type GatedApplyReport,
  type HealthCheckSpec,
  type HealthResult,
  InstalledPackage,
  type Inventory,
  PATCH_APPLY_COMMAND,
  PATCH_REMOVE_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type Run,
} from "@fleetgate/contract/agent";
import { PATCH_EXIT } from "@fleetgate/contract/patching";
import { z } from "zod";
import type { PatchingConfig } from "../config";
import type { ExecOutcome, Execution } from "../executor";
import { writeFileDurable } from "../fs-atomic";
import type { Logger } from "../log";
import type { Rebooter } from "../reboot/rebooter";
import { createBackend, patchEnv } from "./backend-select";
import { runHealthCheck } from "./health";
import { collectInventory, diffInventory, packagesHash } from "./inventory";
import type { PackageBackend } from "./package-backend";
import type { PackageEnv } from "./package-env";
import { PackageRunner } from "./package-runner";
import { Vault } from "./vault";

/** inventory-base.json: the package set the server acknowledged last (diffs are against it). */
const Base = z.object({ hash: z.string(), packages: z.array(InstalledPackage) });
type Base = z.infer<typeof Base>;

/** The end of a long tool output (the report must stay one result frame). */
const tail = (text: string, max = 16 * 1024) => (text.length > max ? text.slice(-max) : text);

/** Refresh the package lists first: always, never, or when they are older than a day. */
type UpdateLists = boolean | "if-stale";
const mergeLists = (a: UpdateLists, b: UpdateLists): UpdateLists =>
  a === true || b === true ? true : a === "if-stale" || b === "if-stale" ? "if-stale" : false;

/** How long a health gate waits for the server to send the host's checks. */
const GATE_TIMEOUT_MS = 30_000;

type GatePhase = "pre" | "post";

/** A built-in's outcome: ok, its JSON report (stdout), an error (stderr), and an exit code other than 0/1. */
interface BuiltinOutcome {
  ok: boolean;
  json: string;
  error: string | null;
  exit?: number;
  /** The host is rebooting (the agent was stopped by the shutdown): the result is written after the boot. */
  deferred?: boolean;
}

/** Package lists older than this are refreshed (`apt-get update`) before a scheduled report. */
const STALE_LISTS_SECS = 24 * 3600;

export interface PatchAgentOptions {
  config: PatchingConfig;
  stateDir: string;
  logger: Logger;
  send: (frame: AgentMessage) => Promise<boolean>;
  /** Tests: a prepared environment instead of the one the config names. */
  env?: PackageEnv;
  /** Reboots after an apply that allows them (absent: such an apply never reboots and says why). */
  rebooter?: Rebooter;
}

/** An apply that changed nothing (a refused pre-check). */
const emptyApply = (error: string): ApplyReport => ({
  ok: false,
  error,
  changes: [],
  unvaulted: [],
  vault: [],
  kept_conffiles: [],
  audit_clean: true,
  reboot_required: false,
  output: "",
});

/**
 * The agent's patch-management side of the connection (docs/patching.md, "Inventory"): reports
 * the inventory on connect (a diff when the server holds the same base), on `refresh` and on a
 * schedule, one report at a time; answers `health_check` requests.
 */
export class PatchAgent {
  readonly env: PackageEnv;
  readonly backend: PackageBackend;
  private readonly runner: PackageRunner;
  private timer: NodeJS.Timeout | undefined;
  /** The hash the server said it holds (welcome / last ack). */
  private serverHash: string | null = null;
  private tail: Promise<void> = Promise.resolve();
  /** The report that has not started yet (later requests join it). */
  private queued: Promise<void> | null = null;
  private queuedLists: UpdateLists = false;
  /** What the last report sent, until the server acknowledges it. */
  private sent: { hash: string; inventory: Inventory } | null = null;
  /** Health gates waiting for the server's `health_gate_checks`. */
  private readonly gates = new Map<string, (checks: HealthCheckSpec[] | null) => void>();

  constructor(private readonly options: PatchAgentOptions) {
    this.env = options.env ?? patchEnv(options.config);
    this.runner = new PackageRunner(this.env);
    this.backend = createBackend(this.runner, new Vault(this.env.vaultDir));
  }

  private get log(): Logger {
    return this.options.logger;
  }
  private get baseFile(): string {
    return path.join(this.options.stateDir, "inventory-base.json");
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
    this.serverHash = hash;
    return this.report({ updateLists: false });
  }

  /** `POST /hosts/{id}/refresh`: refresh the package lists, then report. */
  onRefresh(): Promise<void> {
    return this.report({ updateLists: true });
  }

  /** `inventory_ack`: remember what the server holds; send everything when it could not use a diff. */
  async onAck(hash: string | null, fullNeeded: boolean): Promise<void> {
    const sent = this.sent;
    if (fullNeeded || hash === null) {
      this.serverHash = null;
      if (sent) await this.options.send({ type: "inventory", inventory: sent.inventory });
      return;
    }
    this.serverHash = hash;
    if (sent && sent.hash === hash) {
      this.sent = null;
      await this.saveBase({ hash, packages: sent.inventory.packages });
    }
  }

  /**
   * The built-in commands: apply a pinned plan or remove packages (vault first), and roll a job
   * back from the vault.
   * Their result's stdout is the JSON report; they are never interrupted (dpkg must not be
   * killed mid-run): cancel and shutdown let them finish. Afterwards the inventory is reported.
   */
  builtins(): Map<string, (run: z.infer<typeof Run>) => Execution> {
    return new Map([
      [
        PATCH_APPLY_COMMAND,
        (run: z.infer<typeof Run>) =>
          this.execution(async (stop) => {
            const decoded = decodePlanArgs(run.args);
            if (!decoded) return { ok: false, json: "", error: "invalid patch plan in the command's arguments" };
            const applied = decoded.gate
              ? await this.gatedApply(decoded.jobId, decoded.plan)
              : await this.backend.apply(decoded.jobId, decoded.plan).then(
                  (report): BuiltinOutcome => ({
                    ok: report.ok,
                    json: JSON.stringify({ ...report, output: tail(report.output) }),
                    error: null,
                  }),
                );
            return decoded.allowReboot ? this.rebootIfRequired(run, applied, stop) : applied;
          }),
      ],
      [
        PATCH_REMOVE_COMMAND,
        (run: z.infer<typeof Run>) =>
          this.execution(async () => {
            const decoded = decodeRemoveArgs(run.args);
            if (!decoded) return { ok: false, json: "", error: "invalid package list in the command's arguments" };
            const report = await this.backend.remove(decoded.jobId, decoded.items);
            return { ok: report.ok, json: JSON.stringify({ ...report, output: tail(report.output) }), error: null };
          }),
      ],
      [
        PATCH_ROLLBACK_COMMAND,
        (run: z.infer<typeof Run>) =>
          this.execution(async () => {
            const [jobId] = run.args;
            if (!jobId || run.args.length !== 1 || !/^[\w-]{1,64}$/.test(jobId)) {
              return { ok: false, json: "", error: "invalid rollback arguments" };
            }
            const report = await this.backend.rollback(jobId);
            return { ok: report.ok, json: JSON.stringify({ ...report, output: tail(report.output) }), error: null };
          }),
      ],
    ]);
  }

  /**
   * A health-gated apply (docs/patching.md "Rings"): the host's checks run first — one failing
   * means nothing is changed (exit 3); then the pinned apply; then the checks again — one failing
   * means the packages changed but the host is unhealthy (exit 4: the control plane stops the
   * rollout and, if the job says so, rolls the ring back). Results go to the server either way.
   */
  private async gatedApply(jobId: string, plan: Parameters<PackageBackend["apply"]>[1]): Promise<BuiltinOutcome> {
    const pre = await this.gate(jobId, "pre");
    if (!pre.healthy) {
      const report: GatedApplyReport = {
        ...emptyApply(`pre-patch health check failed: ${pre.detail}`),
        health: { pre: pre.results, post: null },
      };
      return { ok: false, json: JSON.stringify(report), error: report.error, exit: PATCH_EXIT.preCheckFailed };
    }
    const applied = await this.backend.apply(jobId, plan);
    if (!applied.ok) {
      const report: GatedApplyReport = {
        ...applied,
        output: tail(applied.output),
        health: { pre: pre.results, post: null },
      };
      return { ok: false, json: JSON.stringify(report), error: null };
    }
    const post = await this.gate(jobId, "post");
    const report: GatedApplyReport = {
      ...applied,
      ...(post.healthy ? {} : { ok: false, error: `post-patch health check failed: ${post.detail}` }),
      output: tail(applied.output),
      health: { pre: pre.results, post: post.results },
    };
    if (!post.healthy) {
      return { ok: false, json: JSON.stringify(report), error: report.error, exit: PATCH_EXIT.postCheckFailed };
    }
    return { ok: true, json: JSON.stringify(report), error: null };
  }

  /**
   * `allow_reboot` (docs/patching.md "Reboots"): after a successful apply, reboot when the host
   * now requires it — through the Rebooter, which stores the expectation and waits for the server
   * to record the host as `rebooting`. The result (the apply report plus `reboot`) follows after
   * the boot. A failed apply, or one that needs no reboot, is returned as it is.
   */
  private async rebootIfRequired(
    run: z.infer<typeof Run>,
    applied: BuiltinOutcome,
    stop: AbortSignal,
  ): Promise<BuiltinOutcome> {
    if (!applied.ok) return applied;
    const report = JSON.parse(applied.json) as Record<string, unknown>;
    if (report.reboot_required !== true) return applied;
    const skipped = this.options.rebooter?.disabledReason ?? (this.options.rebooter ? null : "no rebooter");
    if (skipped !== null || !this.options.rebooter) {
      this.log.warn("the host requires a reboot, but rebooting is not enabled", { reason: skipped });
      return { ...applied, json: JSON.stringify({ ...report, reboot_skipped: skipped }) };
    }
    const step = await this.options.rebooter.reboot(run.command_id, report, run.timeout_seconds * 1000, stop);
    if (step.state === "deferred") return { ok: true, json: "", error: null, deferred: true };
    const error = `the packages were applied, but the reboot did not happen: ${step.error}`;
    return { ok: false, json: JSON.stringify({ ...report, ok: false, error }), error };
  }

  /** Asks the server for the host's checks, runs them, reports the results; healthy when every one passed. */
  private async gate(
    jobId: string,
    phase: GatePhase,
  ): Promise<{ healthy: boolean; detail: string; results: HealthResult[] }> {
    const requestId = crypto.randomUUID();
    const checks = await new Promise<HealthCheckSpec[] | null>((resolve) => {
      const finish = (c: HealthCheckSpec[] | null) => {
        clearTimeout(timer);
        this.gates.delete(requestId);
        resolve(c);
      };
      const timer = setTimeout(() => finish(null), GATE_TIMEOUT_MS);
      this.gates.set(requestId, finish);
      // Not connected: the gate fails closed (no checks known is not "healthy").
      void this.options.send({ type: "health_gate", request_id: requestId, job_id: jobId, phase }).then((sent) => {
        if (!sent) finish(null);
      });
    });
    if (checks === null) {
      return { healthy: false, detail: "the server did not send the host's health checks", results: [] };
    }
    const results: HealthResult[] = [];
    for (const check of checks) results.push(await runHealthCheck(check));
    if (results.length > 0) {
      await this.options.send({ type: "health_gate_results", job_id: jobId, phase, results });
    }
    const failed = results.filter((r) => !r.healthy);
    const detail = failed.map((r) => `${r.check_id}: ${r.detail}`).join("; ");
    this.log.info(`health gate ${phase}`, { job_id: jobId, checks: results.length, failed: failed.length });
    return { healthy: failed.length === 0, detail, results };
  }

  /** `health_gate_checks`: the checks a waiting gate asked for. */
  onGateChecks(requestId: string, checks: HealthCheckSpec[]): void {
    this.gates.get(requestId)?.(checks);
  }

  private execution(work: (stop: AbortSignal) => Promise<BuiltinOutcome>): Execution {
    const stopped = new AbortController();
    const startedAt = Date.now();
    const outcome = (exit: number, stdout: string, stderr: string): ExecOutcome => ({
      exit_code: exit,
      error: null,
      signal: null,
      stdout,
      stderr,
      truncated: false,
      started_at: startedAt,
      finished_at: Date.now(),
    });
    const done = (async () => {
      if (!this.options.config.enabled) return outcome(1, "", "patching is not enabled on this agent");
      try {
        const r = await work(stopped.signal);
        if (r.deferred) return { ...outcome(1, "", ""), exit_code: null, deferred: true };
        return outcome(r.exit ?? (r.ok ? 0 : 1), r.json, r.error ?? "");
      } catch (error) {
        return outcome(1, "", error instanceof Error ? error.message : String(error));
      } finally {
        void this.report({ updateLists: false });
      }
    })();
    return {
      done,
      stop: (reason) => {
        // The package change itself is never interrupted; only a reboot still waiting to happen is given up.
        this.log.warn("a patch run is never interrupted; it continues", { reason });
        stopped.abort(reason);
      },
    };
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
    if (!this.options.config.enabled) return Promise.resolve();
    if (this.queued) {
      this.queuedLists = mergeLists(this.queuedLists, opts.updateLists);
      return this.queued;
    }
    this.queuedLists = opts.updateLists;
    const run = this.tail.then(async () => {
      this.queued = null;
      try {
        await this.reportOnce({ updateLists: this.queuedLists });
      } catch (error) {
        this.log.warn("inventory report failed", { error });
      }
    });
    this.queued = run;
    this.tail = run;
    return run;
  }

  private async reportOnce(opts: { updateLists: UpdateLists }): Promise<void> {
    if (opts.updateLists !== false) {
      const stale = opts.updateLists === "if-stale" ? await this.listsStale() : true;
      if (stale) {
        try {
          await this.backend.updateLists();
        } catch (error) {
          // The report still goes out, from the lists the host has (their age is part of it).
          this.log.warn("refreshing the package lists failed", { error });
        }
      }
    }
    const inventory = await collectInventory(this.backend, this.env);
    const hash = packagesHash(inventory.packages);
    this.sent = { hash, inventory };
    const base = await this.loadBase();
    if (base && this.serverHash !== null && base.hash === this.serverHash) {
      await this.options.send({ type: "inventory_diff", diff: diffInventory(base.packages, inventory) });
    } else {
      await this.options.send({ type: "inventory", inventory });
    }
    this.log.info("inventory reported", {
      packages: inventory.packages.length,
      updates: inventory.updates.length,
      reboot_required: inventory.reboot_required,
    });
  }

  private async listsStale(): Promise<boolean> {
    const refreshed = await this.backend.listsRefreshedAt();
    return refreshed === null || Date.now() - refreshed > STALE_LISTS_SECS * 1000;
  }

  private async loadBase(): Promise<Base | null> {
    try {
      const parsed = Base.safeParse(JSON.parse(await readFile(this.baseFile, "utf8")));
      return parsed.success && packagesHash(parsed.data.packages) === parsed.data.hash ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async saveBase(base: Base): Promise<void> {
    try {
      await writeFileDurable(this.baseFile, JSON.stringify(base), 0o600);
    } catch (error) {
      this.log.warn("could not store the acknowledged inventory; the next report is whole", { error });
    }
  }
}
