import { z } from "zod";

/** Names of the queues (wrangler.toml); the handler tells them apart by `batch.queue`. */
export const TASKS_QUEUE = "fleetgate-tasks";
export const TASKS_DEAD_LETTER_QUEUE = "fleetgate-tasks-dlq";

export { TaskMessage } from "@fleetgate/contract";

/** What the consumer forwards to the dead-letter queue for a message it cannot parse. */
export const PoisonEnvelope = z.object({ poison: z.literal(true), reason: z.string(), body: z.unknown() });

/** A task id from any message body we may find in the dead-letter queue, or undefined. */
export function taskIdOf(body: unknown): string | undefined {
  const envelope = PoisonEnvelope.safeParse(body);
  const inner = envelope.success ? envelope.data.body : body;
  const parsed = z.object({ task_id: z.uuid() }).safeParse(inner);
  return parsed.success ? parsed.data.task_id : undefined;
}
