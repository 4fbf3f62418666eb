import { type JobUpdate, TERMINAL_HOST_STATUSES } from "@fleetgate/contract";
import type { EventPublisher } from "../publisher";
import type { HostRow } from "./job-run.types";
import type { JobStore } from "./job-store";

/** The job's events for dashboards (best effort, through the EventHub): host transitions and job counters. */
export class JobEvents {
  private lastJobEvent = "";

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
    }
    this.publisher.publish(ev);
  }

  /** The job's counters, only when they changed since the last event. */
  job(): void {
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
    this.lastJobEvent = key;
    this.publisher.publish(ev);
  }
}
