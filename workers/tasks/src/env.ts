/**
 * The bindings the queue consumer and the cron handler use. The control-plane
 * Worker's own `Bindings` satisfy this structurally (one Worker, see wrangler.toml).
 */
export interface TasksEnv {
  DB: D1Database;
  EXPORTS: R2Bucket;
  TASKS: Queue;
  /** Producer binding of the dead-letter queue: poison messages are forwarded there at once. */
  TASKS_DLQ?: Queue;
  MASTER_KEY: string;
  PASSWORD_PEPPER: string;
  PUBLIC_URL?: string;
  TASK_RETENTION_DAYS?: string;
  TRUST_DOMAIN?: string;
  HOST_CERT_DAYS?: string;
  SESSION_CERT_HOURS?: string;
  RENEW_GRACE_SECONDS?: string;
  CA_ROOT_CERT_PEM?: string;
  CA_ISSUING_CERT_PEM?: string;
  CA_ISSUING_KEY_PEM?: string;
}
