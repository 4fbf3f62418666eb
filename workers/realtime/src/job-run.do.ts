import { DurableObject } from "cloudflare:workers";

/**
 * One per job: the job's state machine, fan-out in waves bounded by
 * max_parallel and the error threshold, per-host timeouts via alarms.
 */
export class JobRun extends DurableObject<Env> {}
