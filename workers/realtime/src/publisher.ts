import type { StreamEvent } from "@fleetgate/contract";
import { eventHubStub, logAt } from "@fleetgate/domain";

/**
 * Publishes stream events to the EventHub in order, without making the caller
 * wait: events are best effort (a dashboard that missed one re-reads the job),
 * so a slow or failing hub never delays dispatch or result handling.
 */
export class EventPublisher {
  private readonly queue: StreamEvent[] = [];
  private running = false;

  constructor(private readonly env: Env) {}

  publish(event: StreamEvent): void {
    this.queue.push(event);
    if (!this.running) {
      this.running = true;
      this.drain().finally(() => {
        this.running = false;
      });
    }
  }

  private async drain(): Promise<void> {
    const hub = eventHubStub(this.env.EVENTS);
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 100);
      try {
        await hub.publish(batch);
      } catch (err) {
        logAt(this.env.LOG_LEVEL, "warn", "event publish failed", { error: String(err), dropped: batch.length });
      }
    }
  }
}
