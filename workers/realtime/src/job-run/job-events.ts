import { type JobUpdate, TERMINAL_HOST_STATUSES, TERMINAL_JOB_STATUSES } from "@fleetgate/contract";
import type { EventPublisher } from "../publisher";
import type { HostRow } from "./job-run.types";
import type { JobStore } from "./job-store";

/** Counter-only job events are coalesced to at most one per this interval (a status change goes out at once). */
export const JOB_EVENT_INTERVAL_MS = 250;

/**
 * The job's events for dashboards (best effort, through the EventHub): every
 * host transition, and the job's counters. With 1,000 results a second, one
 * counter event per result would be 1,000 events a second that each supersede
 * the last: counters are coalesced (`flush()` from the alarm sends the held one).
 *
 * A host's end and the job's end go out only once D1 holds them (`synced()`,
 * called after each write-back): whoever reacts to such an event by reading the
 * job or the host's output over the API finds the final rows, never older ones.
 */
export class JobEvents {
  private lastJobEvent = "";
  private lastStatus = "";
  private lastJobEventAt = 0;
  private held = false;
  /** Host-ended events waiting for their rows' write-back. */
  private readonly endedHosts: JobUpdate[] = [];
  /** The job's final event waits for its write-back too. */
  private finalHeld = false;

  constructor(
    private readonly store: JobStore,
    private readonly publisher: EventPublisher,
  ) {}

  host(h: Pick<HostRow, "host_id" | "command_id" | "status" | "stdout" | "error"> & Partial<HostRow>): void {
    const meta = this.store.meta();
    if (!meta) return;
    const plan = this.store.plan(meta);
    const ev: JobUpdate = {
      event_type: "host",
      job_id: plan.job_id,
      host_id: h.host_id,
      status: h.status,
      agent_job_id: h.command_id,
    };
    if (TERMINAL_HOST_STATUSES.has(h.status)) {
      ev.output = h.stdout ?? "";
      if (h.error) ev.error_message = h.error;
      this.endedHosts.push(ev);
      return;
    }
    this.publisher.publish(ev);
  }

  /** D1 now holds every change so far: send the events that waited for it (hosts first, then the job's end). */
  synced(): void {
    for (const ev of this.endedHosts.splice(0)) this.publisher.publish(ev);
    if (this.finalHeld) {
      this.finalHeld = false;
      this.job(Number.POSITIVE_INFINITY);
    }
  }

  /** The job's counters, only when they changed since the last event; counter-only changes are coalesced. */
  job(now = Date.now()): void {
    const meta = this.store.meta();
    if (!meta) return;
    const plan = this.store.plan(meta);
    const counts = this.store.counts();
    const ev: JobUpdate = {
      event_type: "job",
      job_id: plan.job_id,
      host_id: "",
      status: meta.status,
      succeeded_count: counts.succeeded ?? 0,
      failed_count: this.store.failures(),
      host_count: plan.hosts.length,
    };
    const key = JSON.stringify(ev);
    if (key === this.lastJobEvent) return; // Only changes are news.
    if (TERMINAL_JOB_STATUSES.has(meta.status) && (this.endedHosts.length > 0 || this.store.dirty())) {
      this.finalHeld = true;
      return;
    }
    if (meta.status === this.lastStatus && now - this.lastJobEventAt < JOB_EVENT_INTERVAL_MS) {
      this.held = true;
      return;
    }
    this.held = false;
    this.lastJobEvent = key;
    this.lastStatus = meta.status;
    this.lastJobEventAt = now;
    this.publisher.publish(ev);
  }

  /** A coalesced counter event is waiting. */
  get pending(): boolean {
    return this.held;
  }

  /** Sends the held counter event, if any (called from the alarm). */
  flush(): void {
    if (this.held) this.job(Number.POSITIVE_INFINITY);
  }
}
