import type { PlatformEnv } from "@fleetgate/domain";

/**
 * The bindings the queue consumer and the cron handler use: the domain's
 * platform (one Worker, see wrangler.toml) plus the dead-letter producer and
 * the retention setting. The control-plane Worker's `Bindings` satisfy it.
 */
export interface TasksEnv extends PlatformEnv {
  /** Producer binding of the dead-letter queue: poison messages are forwarded there at once. */
  TASKS_DLQ?: Queue;
  TASK_RETENTION_DAYS?: string;
}
