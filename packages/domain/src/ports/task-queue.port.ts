import { TaskMessage } from "@fleetgate/contract";

/** The async task queue (TASKS): enqueue a task by id; its parameters live in the task row. */
export interface TaskQueuePort {
  enqueue(taskId: string): Promise<void>;
}

/** The Queue binding behind the port; messages are `TaskMessage` (parsed again by the consumer). */
export function taskQueuePort(queue: Queue): TaskQueuePort {
  return {
    async enqueue(taskId) {
      await queue.send(TaskMessage.parse({ v: 1, task_id: taskId }), { contentType: "json" });
    },
  };
}
