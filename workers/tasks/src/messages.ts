import { z } from "zod";

/** Names of the queues (wrangler.toml); the handler tells them apart by `batch.queue`. */
export const TASKS_QUEUE = "fleetgate-tasks";
export const TASKS_DEAD_LETTER_QUEUE = "fleetgate-tasks-dlq";

/** A message on TASKS: only the task id; the parameters live in the task row (D1), never in the queue. */
export const TaskMessage = z.object({ v: z.literal(1), task_id: z.uuid() }).strict();
export type TaskMessage = z.infer<typeof TaskMessage>;

/** What the consumer forwards to the dead-letter queue for a message it cannot parse. */
export const PoisonEnvelope = z.object({ poison: z.literal(true), reason: z.string(), body: z.unknown() });

/** Enqueues a task for the consumer. */
export async function enqueueTask(queue: Queue, taskId: string): Promise<void> {
  const message: TaskMessage = { v: 1, task_id: taskId };
  await queue.send(message, { contentType: "json" });
}

/** A task id from any message body we may find in the dead-letter queue, or undefined. */
export function taskIdOf(body: unknown): string | undefined {
  const envelope = PoisonEnvelope.safeParse(body);
  const inner = envelope.success ? envelope.data.body : body;
  const parsed = z.object({ task_id: z.uuid() }).safeParse(inner);
  return parsed.success ? parsed.data.task_id : undefined;
}
