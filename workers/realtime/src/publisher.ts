import type { StreamEvent } from "@fleetgate/contract";
import { logAt } from "@fleetgate/domain";
import type { DomainAccess } from "./shared/domain-access";

/**
 * Publishes stream events to the EventHub in order, without making the caller
 * wait: events are best effort (a dashboard that missed one re-reads the job),
 * so a slow or failing hub never delays dispatch or result handling.
 */
export class EventPublisher {
  private readonly queue: StreamEvent[] = [];
  private running = false;

  constructor(
    private readonly domain: DomainAccess,
    private readonly logLevel: string | undefined,
  ) {}

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
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 100);
      try {
        await (await this.domain.context()).events.publish(batch);
      } catch (err) {
        logAt(this.logLevel, "warn", "event publish failed", { error: String(err), dropped: batch.length });
      }
    }
  }
}
