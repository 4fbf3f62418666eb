import type { JobPlan } from "@fleetgate/contract";
import {
  failedRing,
  openRing,
  PATCH_EXIT,
  type RingHost,
  type RingView,
  ringViews,
} from "@fleetgate/contract/patching";
import { createRingRollbackJob, logAt } from "@fleetgate/domain";
import type { EventPublisher } from "../publisher";
import type { DomainAccess } from "../shared/domain-access";
import type { HostRow } from "./job-run.types";
import type { JobStore } from "./job-store";
import type { JobTransitions } from "./job-transitions";

/** Host statuses in which the agent may have changed packages (a rollback target). */
const RAN = new Set(["succeeded", "failed", "timed_out"]);

/** `job.stop_reason` once a ring failed, and once its automatic rollback was started. */
export const RING_FAILED = "ring_failed";
export const RING_ROLLED_BACK = "ring_rollback_started";

type RolloutPlan = JobPlan & { rollout: NonNullable<JobPlan["rollout"]> };

/**
 * The health-gated rollout of a patch job with rings (docs/patching.md "Rings"), beside the
 * JobRun's core: which ring may be dispatched, what a failed ring does (the hosts not yet started
 * never start; with `on_health_failure: rollback` the ring's hosts that ran get an automatic
 * rollback job once none of them is still running) and a `ring` event for every ring transition.
 * Everything is derived from the host rows in the JobRun's storage, so a reset loses nothing;
 * the rollback job's id is derived from the job and the ring, so starting it twice is harmless.
 */
export class Rollout {
  /** The last state published per ring (in memory: after a reset each ring is published once more). */
  private readonly published = new Map<number, string>();
  private ringOfSeq: number[] | undefined;
  /** The automatic rollback being started (single flight: `step` and `beforeEnd` may overlap). */
  private rollingBack: Promise<void> | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly transitions: JobTransitions,
    private readonly publisher: EventPublisher,
    private readonly domain: DomainAccess,
    private readonly logLevel: string | undefined,
  ) {}

  static of(plan: JobPlan): RolloutPlan | null {
    return plan.rollout ? (plan as RolloutPlan) : null;
  }

  /** The ring of the host at `seq` (its position in the plan). */
  ringOf(plan: RolloutPlan, seq: number): number {
    this.ringOfSeq ??= plan.hosts.map((h) => h.ring ?? 0);
    return this.ringOfSeq[seq] ?? 0;
  }

  views(plan: RolloutPlan): RingView[] {
    const hosts: RingHost[] = this.store
      .hostsWhere("1 = 1")
      .map((h) => ({ ring: this.ringOf(plan, h.seq), status: h.status, exit_code: h.exit_code }));
    return ringViews(hosts, plan.rollout.ring_count, plan.error_threshold);
  }

  /**
   * Before a wave: applies a ring failure (ends the hosts that may no longer start; starts the
   * automatic rollback when due) and publishes ring transitions. Returns the ring whose hosts may be
   * dispatched now (null: none) and whether hosts were ended.
   */
  async step(plan: RolloutPlan, now: number): Promise<{ open: number | null; changed: boolean }> {
    let views = this.views(plan);
    let changed = false;
    const failed = failedRing(views);
    if (failed) {
      const pending = this.store.hostsWhere("status = 'pending'");
      if (pending.length > 0) {
        for (const h of pending) {
          const ring = this.ringOf(plan, h.seq);
          const error =
            ring === failed.index
              ? `ring ${failed.index + 1} failed (${failed.reason}); not started`
              : `ring ${ring + 1} not started: ring ${failed.index + 1} failed (${failed.reason})`;
          this.transitions.endHost(h, { status: "cancelled", error }, now, plan);
        }
        changed = true;
      }
      if (this.store.meta()?.stop_reason === null) this.store.updateJob("stop_reason = ?", RING_FAILED);
      logAt(this.logLevel, "warn", `REQID=${plan.reqid} ring ${failed.index + 1} failed: ${failed.reason}`, {
        reqid: plan.reqid,
        job_id: plan.job_id,
      });
      await this.rollBackIfDue(plan, failed);
      if (changed) views = this.views(plan);
    }
    this.publish(plan, views);
    return { open: openRing(views), changed };
  }

  /**
   * Before the job ends: starts the failed ring's automatic rollback if it is due and not started
   * yet, so that whoever reads the ended job finds its rollback job (a report that ends the ring's
   * last host may end the job while a wave is still being dispatched).
   */
  async beforeEnd(plan: RolloutPlan): Promise<void> {
    const failed = failedRing(this.views(plan));
    if (failed) await this.rollBackIfDue(plan, failed);
  }

  /** The failed ring's automatic rollback, once its post-checks failed and none of its hosts still runs. */
  private async rollBackIfDue(plan: RolloutPlan, ring: RingView): Promise<void> {
    this.rollingBack ??= this.startRollback(plan, ring).finally(() => {
      this.rollingBack = undefined;
    });
    await this.rollingBack;
  }

  private async startRollback(plan: RolloutPlan, ring: RingView): Promise<void> {
    if (plan.rollout.on_health_failure !== "rollback" || ring.health_failed === 0) return;
    if (this.store.meta()?.stop_reason === RING_ROLLED_BACK) return;
    const own = this.store.hostsWhere("1 = 1").filter((h) => this.ringOf(plan, h.seq) === ring.index);
    if (own.some((h) => h.status === "dispatched" || h.status === "running")) return;
    // A host whose pre-check failed changed nothing; only hosts on which the apply ran are restored.
    const targets = own
      .filter((h) => RAN.has(h.status) && h.exit_code !== PATCH_EXIT.preCheckFailed)
      .map((h: HostRow) => ({ id: h.host_id, name: h.host_name }));
    if (targets.length === 0) return;
    try {
      const id = await createRingRollbackJob(await this.domain.context(), plan.job_id, ring.index, targets);
      this.store.updateJob("stop_reason = ?", RING_ROLLED_BACK);
      logAt(this.logLevel, "warn", `REQID=${plan.reqid} ring ${ring.index + 1} rolled back by job ${id}`, {
        reqid: plan.reqid,
        job_id: plan.job_id,
        rollback_job_id: id,
      });
      this.publisher.publish({
        event_type: "ring",
        job_id: plan.job_id,
        host_id: "",
        status: "rolling_back",
        ring: ring.index,
        rollback_job_id: id,
      });
    } catch (err) {
      logAt(this.logLevel, "error", `REQID=${plan.reqid} starting the automatic rollback failed`, {
        reqid: plan.reqid,
        error: String(err),
      });
    }
  }

  private publish(plan: RolloutPlan, views: readonly RingView[]): void {
    for (const v of views) {
      const last = this.published.get(v.index) ?? "waiting";
      if (last === v.state) continue;
      this.published.set(v.index, v.state);
      this.publisher.publish({
        event_type: "ring",
        job_id: plan.job_id,
        host_id: "",
        status: v.state,
        ring: v.index,
        succeeded_count: v.succeeded,
        failed_count: v.failed,
        host_count: v.host_count,
        ...(v.reason ? { error_message: v.reason } : {}),
      });
    }
  }
}
