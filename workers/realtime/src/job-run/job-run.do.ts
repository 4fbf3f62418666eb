import { DurableObject } from "cloudflare:workers";
import { HostRebooting, HostReport, JobPlan, type JobStatus } from "@fleetgate/contract";
import { jobById, logAt, onJobEnded } from "@fleetgate/domain";
import { z } from "zod";
import { finalStatus, RESULT_GRACE_MS, thresholdExceeded } from "../job-state";
import { EventPublisher } from "../publisher";
import { AlarmScheduler } from "../shared/alarm-scheduler";
import { DomainAccess, objectScope } from "../shared/domain-access";
import { yieldTurn } from "../shared/yield-turn";
import { DispatchCertificates } from "./dispatch-certificates";
import { cancelCommands, enqueueCommands } from "./job-dispatch";
import { JOB_EVENT_INTERVAL_MS, JobEvents } from "./job-events";
import type { JobProgress } from "./job-run.types";
import { deferredStartDue, scheduleInstants, startDeadlinePassed } from "./job-schedule";
import { JobStore } from "./job-store";
import { JobTransitions } from "./job-transitions";
import { JobWaiters } from "./job-waiters";
import { JobWriteBack } from "./job-writeback";
import { HostReports } from "./report-batch";
import { ReportIntake } from "./report-intake";
import { Rollout } from "./rollout";

export type { HostProgress, JobProgress } from "./job-run.types";

const WaitMs = z.number().int().min(0).max(86_400_000);
const ENQUEUE_RETRY_MS = 2_000;
/** A finished job's state stays here this long (late duplicates, waiters), then only D1 has it. */
const KEEP_FINISHED_MS = 24 * 3_600_000;

/**
 * One per job (`idFromName(jobId)`): the job's state machine (job-state.ts),
 * fan-out in waves bounded by `max_parallel`, the error threshold, per-host
 * deadlines via the alarm, cancellation. Storage is `JobStore`, the D1
 * write-back `JobWriteBack`, waiters `JobWaiters`, events `JobEvents`, a
 * host's transitions (reports, ends, deadlines) `JobTransitions`, the
 * HostChannel calls `job-dispatch.ts`.
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
  private readonly store: JobStore;
  private readonly events: JobEvents;
  private readonly waiters: JobWaiters;
  private readonly writeBack: JobWriteBack;
  private readonly transitions: JobTransitions;
  private readonly alarms: AlarmScheduler;
  private readonly domain: DomainAccess;
  private readonly rollout: Rollout;
  /** The dispatch's certificate check, read from D1 for many hosts at once. */
  private readonly certificates = new DispatchCertificates((limit) => this.store.pendingHostIds(limit));
  private pumping = false;
  private pumpAgain = false;
  /** Reports from the channels, applied with `afterChange` in shared rounds (one commit each). */
  private readonly reports: ReportIntake;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new JobStore(ctx.storage.sql);
    this.domain = new DomainAccess(env, objectScope("job", ctx));
    const publisher = new EventPublisher(this.domain, env.LOG_LEVEL);
    this.events = new JobEvents(this.store, publisher);
    this.waiters = new JobWaiters(() => this.store.progress());
    this.alarms = new AlarmScheduler(ctx.storage);
    this.writeBack = new JobWriteBack(
      this.domain,
      env.LOG_LEVEL,
      this.store,
      (at) => this.alarms.armAt(at),
      () => this.events.synced(),
    );
    this.transitions = new JobTransitions(this.store, this.events, this.writeBack, env.LOG_LEVEL);
    this.rollout = new Rollout(this.store, this.transitions, publisher, this.domain, env.LOG_LEVEL);
    this.reports = new ReportIntake(this.store, this.transitions, () => this.afterChange());
    ctx.blockConcurrencyWhile(async () => this.store.migrate());
  }

  // ---- RPC ---------------------------------------------------------------

  /** Starts the job (idempotent: a second start with the same plan only reports progress). */
  async start(raw: unknown): Promise<JobProgress> {
    const plan = JobPlan.parse(raw);
    if (!this.store.meta()) {
      // Only a job D1 still shows as queued may start here: after this object's state was
      // dropped (a day after the job ended) a replayed start must never run the hosts again.
      const row = await jobById((await this.domain.context()).db, plan.job_id);
      if (row?.status !== "queued" && row?.status !== "pending") return this.store.progress();
      if (this.store.meta()) return this.store.progress(); // Another start won while we read D1.
      this.store.create(plan, Date.now());
      logAt(
        this.env.LOG_LEVEL,
        "info",
        `ACTION=dispatch HOSTS=${plan.hosts.map((h) => h.host_name).join(",")} REQID=${plan.reqid} SCRIPT=${plan.script} MODE=${plan.mode}`,
        { reqid: plan.reqid, job_id: plan.job_id, host_count: plan.hosts.length },
      );
      this.events.job();
      await this.scheduleAlarm();
      await this.pump();
    }
    return this.store.progress();
  }

  /** A report from a HostChannel (ack, result, queue expiry). Idempotent by command id. */
  async report(raw: unknown): Promise<{ applied: boolean }> {
    return { applied: (await this.reports.add([HostReport.parse(raw)])) > 0 };
  }

  /** Consecutive reports of one HostChannel, applied in order (each idempotent); how many changed something. */
  async reportMany(raw: unknown): Promise<{ applied: number }> {
    return { applied: await this.reports.add(HostReports.parse(raw)) };
  }

  /**
   * The agent is about to reboot for a host's command (docs/patching.md "Reboots"): stored first
   * (the host shows `rebooting`); the HostChannel lets the agent reboot only when this says so.
   */
  async hostRebooting(raw: unknown): Promise<{ confirmed: boolean }> {
    const report = HostRebooting.parse(raw);
    const meta = this.store.meta();
    if (!meta || meta.status !== "running" || meta.cancel_requested) return { confirmed: false };
    const host = this.store.host(report.command_id);
    if (!host || host.host_id !== report.host_id) return { confirmed: false };
    const confirmed = this.transitions.rebooting(host, report, this.store.plan(meta));
    if (confirmed) await this.reports.settle();
    return { confirmed };
  }

  /** Cancels the job: pending hosts never start, dispatched/running ones are told to stop. */
  async cancel(): Promise<{ ok: boolean; status: JobStatus | null }> {
    const meta = this.store.meta();
    if (!meta) return { ok: false, status: null };
    if (meta.status !== "running" && meta.status !== "queued" && meta.status !== "pending") {
      return { ok: false, status: meta.status };
    }
    const now = Date.now();
    this.store.updateJob("cancel_requested = 1, stop_reason = 'cancelled'");
    const plan = this.store.plan(meta);
    const active = this.store.hostsWhere("status IN ('pending', 'dispatched', 'running')");
    for (const h of active) this.transitions.endHost(h, { status: "cancelled", error: "cancelled" }, now, plan);
    logAt(this.env.LOG_LEVEL, "info", `REQID=${plan.reqid} job cancelled`, { reqid: plan.reqid, job_id: plan.job_id });
    await this.afterChange();
    await cancelCommands(
      await this.domain.context(),
      active.filter((h) => h.status !== "pending"),
    );
    return { ok: true, status: this.store.meta()?.status ?? null };
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
    return this.store.progress();
  }

  // ---- alarm -------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarms.fired();
    this.store.forgetMeta();
    const meta = this.store.meta();
    if (!meta) return;
    const now = Date.now();
    if (meta.completed_at !== null && meta.completed_at + KEEP_FINISHED_MS <= now && !this.store.dirty()) {
      // D1 holds the results; this object's copy is no longer needed.
      await this.alarms.clear();
      await this.ctx.storage.deleteAll();
      this.store.reset();
      this.certificates.reset();
      // Late reports still find (empty) tables and are ignored; a replayed start is refused (D1 says done).
      this.store.migrate();
      return;
    }
    const plan = this.store.plan(meta);
    if (deferredStartDue(meta, plan, now)) {
      // The maintenance window opened: the job starts now (afterChange dispatches the first wave).
      this.store.updateJob("status = 'running', started_at = ?", now);
      logAt(this.env.LOG_LEVEL, "info", `REQID=${plan.reqid} maintenance window open; job started`, {
        reqid: plan.reqid,
        job_id: plan.job_id,
      });
    }
    const late = this.transitions.timeOutLate(now, plan);
    this.waiters.expire(now);
    this.events.flush();
    await this.afterChange();
    if (late.length > 0) await cancelCommands(await this.domain.context(), late);
    await this.writeBack.flush();
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
    const meta = this.store.meta();
    if (meta?.status !== "running" || meta.cancel_requested) return;
    const plan = this.store.plan(meta);
    const now = Date.now();
    const counts = this.store.counts();
    const failures = this.store.failures();
    // A health-gated rollout (rollout.ts): only the open ring is dispatched; its threshold is per ring.
    const rings = Rollout.of(plan);
    let openRing: number | null = null;
    if (rings) {
      const step = await this.rollout.step(rings, now);
      if (step.changed) {
        await this.afterChange(false);
        return;
      }
      openRing = step.open;
    }
    if (!rings && (counts.pending ?? 0) > 0 && thresholdExceeded(plan.error_threshold, failures, plan.hosts.length)) {
      // Stop dispatching: the hosts not yet started are cancelled, running ones finish.
      this.store.updateJob("stop_reason = 'error_threshold'");
      for (const h of this.store.hostsWhere("status = 'pending'")) {
        this.transitions.endHost(h, { status: "cancelled", error: "error threshold exceeded" }, now, plan);
      }
      logAt(
        this.env.LOG_LEVEL,
        "warn",
        `REQID=${plan.reqid} error threshold exceeded; not dispatching the remaining hosts`,
        { reqid: plan.reqid, failures },
      );
      await this.afterChange(false);
      return;
    }
    if ((counts.pending ?? 0) > 0 && startDeadlinePassed(plan, now)) {
      // Too late in the maintenance window for the rest to finish inside it: they never start.
      this.store.updateJob("stop_reason = 'window_closed'");
      for (const h of this.store.hostsWhere("status = 'pending'")) {
        this.transitions.endHost(
          h,
          { status: "cancelled", error: "maintenance window closes before the host could finish" },
          now,
          plan,
        );
      }
      await this.afterChange(false);
      return;
    }
    const inflight = (counts.dispatched ?? 0) + (counts.running ?? 0);
    const free = plan.max_parallel - inflight;
    if (free > 0) {
      const wave = this.store
        .nextWave(free)
        .filter((h) => !rings || (openRing !== null && this.rollout.ringOf(rings, h.seq) === openRing));
      const deadlineAfter = (plan.queue_ttl_seconds + plan.timeout_seconds) * 1000 + RESULT_GRACE_MS;
      for (const h of wave) {
        this.store.updateHost(
          h.command_id,
          { status: "dispatched", dispatched_at: now, deadline: now + deadlineAfter },
          h.status,
        );
        this.events.host({ ...h, status: "dispatched" });
      }
      if (wave.length > 0) await this.scheduleAlarm();
    }
    // Hand every dispatched-but-not-yet-enqueued command to its host (also retries after a reset).
    const toSend = this.store.hostsWhere("status = 'dispatched' AND delivery IS NULL");
    if (toSend.length === 0) return;
    const ctx = await this.domain.context();
    // The channels' answers are marked in one guarded statement per event-loop turn, not one per
    // answer (a mark lost to a reset only means the command is handed over again: idempotent).
    const marks: { command_id: string; delivery: "queued" | "sent" }[] = [];
    let markPending = false;
    const markNow = () => this.store.markDeliveredMany(marks.splice(0));
    const { failed } = await enqueueCommands(ctx, plan, toSend, now, this.certificates, ({ host, outcome }) => {
      if (outcome !== "offline") {
        marks.push({ command_id: host.command_id, delivery: outcome === "queued" ? "queued" : "sent" });
        if (!markPending) {
          markPending = true;
          void yieldTurn().then(() => {
            markPending = false;
            markNow();
          });
        }
        return;
      }
      const current = this.store.host(host.command_id);
      if (current?.status !== "dispatched") return; // Acked, ended or cancelled meanwhile.
      this.transitions.endHost(current, { status: "offline_expired", error: "host offline" }, Date.now(), plan);
      // A slot became free: the next wave may go out.
      this.pumpAgain = true;
    });
    markNow();
    if (failed > 0) await this.alarms.armAt(Date.now() + ENQUEUE_RETRY_MS);
    await this.afterChange(false);
  }

  /** After any change: dispatch more, finish when every host ended, release waiters, arm the alarm. */
  private async afterChange(pump = true): Promise<void> {
    this.store.bumpJob();
    this.events.job();
    if (pump) await this.pump();
    const meta = this.store.meta();
    if (
      meta &&
      meta.completed_at === null &&
      (meta.status === "running" || meta.status === "queued" || meta.status === "pending")
    ) {
      const rings = Rollout.of(this.store.plan(meta));
      // The automatic rollback of a failed ring starts before the job ends (rollout.ts).
      if (rings && this.store.countIn(["pending", "dispatched", "running"]) === 0) await this.rollout.beforeEnd(rings);
      const now = this.store.meta();
      if (now?.completed_at === null && this.store.countIn(["pending", "dispatched", "running"]) === 0) {
        const status = finalStatus(this.store.counts(), now.cancel_requested === 1);
        this.store.updateJob("status = ?, completed_at = ?", status, Date.now());
        const plan = this.store.plan(meta);
        logAt(this.env.LOG_LEVEL, "info", `REQID=${plan.reqid} job ${status}`, {
          reqid: plan.reqid,
          job_id: plan.job_id,
          ...this.store.counts(),
        });
        this.events.job();
        // D1 first, then the waiters: whoever waited reads the final rows from D1.
        await this.writeBack.flush();
        // Follow-ups of the job's end (the "job failed" email); never fails the job.
        this.ctx.waitUntil(
          this.domain
            .context()
            .then((ctx) => onJobEnded(ctx, plan.job_id))
            .catch((err) => logAt(this.env.LOG_LEVEL, "error", "job-end follow-up failed", { error: String(err) })),
        );
      }
    }
    this.checkWaiters();
    await this.scheduleAlarm();
  }

  // ---- waiters ---------------------------------------------------------------

  private async wait(kind: "complete" | "acks", timeoutMs: number): Promise<JobProgress> {
    if (!this.store.meta()) return this.store.progress();
    const p = this.waiters.add(kind, timeoutMs);
    this.checkWaiters();
    await this.scheduleAlarm();
    return p;
  }

  private checkWaiters(): void {
    const meta = this.store.meta();
    const complete = meta?.completed_at !== null && meta?.completed_at !== undefined;
    this.waiters.check(complete, () =>
      this.store.count("status = 'dispatched' AND (delivery IS NULL OR delivery = 'sent')"),
    );
  }

  // ---- alarm scheduling ------------------------------------------------------------

  private async scheduleAlarm(): Promise<void> {
    const meta = this.store.meta();
    if (!meta) return;
    const now = Date.now();
    const candidates: number[] = [...this.waiters.deadlines()];
    const deadline = this.store.nextDeadline();
    if (deadline !== null) candidates.push(deadline);
    // D1 write-back per tick, not per result: everything dirty by then goes in one batch.
    if (this.store.dirty()) candidates.push(this.writeBack.nextFlushAt(now));
    if (this.events.pending) candidates.push(now + JOB_EVENT_INTERVAL_MS);
    if (this.store.count("status = 'dispatched' AND delivery IS NULL") > 0) candidates.push(now + ENQUEUE_RETRY_MS);
    if (meta.completed_at !== null) candidates.push(meta.completed_at + KEEP_FINISHED_MS);
    candidates.push(...scheduleInstants(meta, this.store.plan(meta), this.store.countIn(["pending"])));
    await this.alarms.armEarliest(candidates, now);
  }
}
