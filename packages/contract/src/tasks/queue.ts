import { z } from "zod";

/** A message on TASKS: only the task id; the parameters live in the task row (D1), never in the queue. */
export const TaskMessage = z.object({ v: z.literal(1), task_id: z.uuid() }).strict();
export type TaskMessage = z.infer<typeof TaskMessage>;
