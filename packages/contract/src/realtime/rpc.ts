import { z } from "zod";
import { Result, Run, ScriptName } from "../agent/protocol";

/**
 * Arguments of the Durable Object RPCs (HostChannel, JobRun, EventHub) and the
 * events they publish. Every RPC parses its arguments with these schemas: an
 * RPC is a trust boundary like any other (CONVENTIONS: zod at every boundary).
 */

const Id = z.string().min(1).max(64);
const Reqid = z
  .string()
  .regex(/^[a-f0-9]+$/)
  .max(64);

/** A command for one host, as JobRun hands it to the host's HostChannel. */
export const HostCommand = z.object({
  command_id: Id,
  job_id: Id,
  host_id: Id,
  reqid: Reqid,
  script: ScriptName,
  args: Run.shape.args,
  timeout_seconds: Run.shape.timeout_seconds,
  /** Unix ms: the agent must not start the command after this instant; queued commands expire then. */
  expires_at: z.number().int(),
  /** Deliver only if the host is connected right now (ctrl-exec sync runs); otherwise answer `offline`. */
  require_online: z.boolean().default(false),
  /**
   * The ids of the host's certificates D1 showed active and unexpired when the
   * JobRun dispatched this command (one D1 query per wave instead of one per
   * host). Absent: the channel reads D1 itself before it sends (finding 3).
   */
  valid_cert_ids: z.array(z.string().max(64)).max(100).optional(),
});
export type HostCommand = z.infer<typeof HostCommand>;

/** What HostChannel did with an enqueued command. */
export type EnqueueOutcome = "sent" | "queued" | "offline" | "duplicate";

/** What a HostChannel reports back to the command's JobRun (idempotent by command_id). */
export const HostReport = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ack"), command_id: Id, host_id: Id, at: z.number().int() }),
  z.object({ type: z.literal("result"), command_id: Id, host_id: Id, at: z.number().int(), result: Result }),
  /** The command waited in the host's queue until `expires_at` while the host was offline. */
  z.object({ type: z.literal("expired"), command_id: Id, host_id: Id, at: z.number().int() }),
]);
export type HostReport = z.infer<typeof HostReport>;

/** A HostChannel tells the command's JobRun that the agent is about to reboot for it (docs/patching.md "Reboots"). */
export const HostRebooting = z.object({
  command_id: Id,
  host_id: Id,
  at: z.number().int(),
  boot_id: z.string().min(1).max(64),
  kernel: z.string().max(255),
});
export type HostRebooting = z.infer<typeof HostRebooting>;

/** A threshold of failed hosts: more than `value` hosts, or more than `value` percent of them. */
export const ErrorThreshold = z.object({ kind: z.enum(["count", "percent"]), value: z.number().int().min(0) });
export type ErrorThreshold = z.infer<typeof ErrorThreshold>;

/** Everything a JobRun needs to run a job; derivable from the D1 rows, so a lost start can be replayed. */
export const JobPlan = z.object({
  job_id: z.uuid(),
  reqid: Reqid,
  script: ScriptName,
  args: Run.shape.args,
  mode: z.enum(["sync", "async"]),
  timeout_seconds: Run.shape.timeout_seconds,
  /** How long a command may wait for an offline host before it is `offline_expired`. */
  queue_ttl_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400),
  require_online: z.boolean(),
  max_parallel: z.number().int().min(1).max(10_000),
  error_threshold: ErrorThreshold.nullable(),
  /** A job waiting for its maintenance window: `pending` until this instant (epoch ms), then it starts. */
  not_before: z.number().int().min(0).optional(),
  /** No host is dispatched after this instant (window end minus the expected duration); the rest are cancelled. */
  last_start_at: z.number().int().min(0).optional(),
  /**
   * A health-gated rollout (patch jobs with `rings`): hosts carry their ring; a ring is dispatched
   * only when every earlier ring passed (contract `patching/rollout.ts`); `error_threshold` counts per ring.
   */
  rollout: z
    .object({
      ring_count: z.number().int().min(1).max(100),
      on_health_failure: z.enum(["stop", "rollback"]),
    })
    .optional(),
  hosts: z
    .array(
      z.object({
        host_id: Id,
        host_name: z.string().max(253),
        command_id: Id,
        /** This host's own arguments instead of the plan's (a patch job's per-host pinned versions). */
        args: Run.shape.args.optional(),
        /** The host's ring (0-based) in a rollout. */
        ring: z.number().int().min(0).max(99).optional(),
      }),
    )
    .min(1)
    .max(10_000),
});
export type JobPlan = z.infer<typeof JobPlan>;

export const JOB_STATUSES = ["queued", "pending", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const HOST_STATUSES = [
  "pending",
  "dispatched",
  "running",
  /** Shown while a running host reboots for its command (the JobRun keeps it `running` with stage `rebooting`). */
  "rebooting",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "offline_expired",
] as const;
export type JobHostStatus = (typeof HOST_STATUSES)[number];
export const TERMINAL_HOST_STATUSES: ReadonlySet<JobHostStatus> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "offline_expired",
]);
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * A `job_update` frame as Linux Patch Manager pushes it on `/api/v1/ws/jobs`
 * (linux-patch-manager.md §6): host events carry the host's status (and its
 * output / error when it ended), job events the counters.
 */
export const JobUpdate = z.object({
  /** `ring`: a ring of a health-gated rollout changed state (our extension; `ring` and `status` say which and how). */
  event_type: z.enum(["host", "job", "ring"]),
  job_id: z.string(),
  host_id: z.string(),
  status: z.string(),
  output: z.string().optional(),
  error_message: z.string().optional(),
  agent_job_id: z.string().optional(),
  succeeded_count: z.number().int().optional(),
  failed_count: z.number().int().optional(),
  host_count: z.number().int().optional(),
  /** Ring events: the ring (0-based) and, once its automatic rollback started, the rollback job. */
  ring: z.number().int().optional(),
  rollback_job_id: z.string().optional(),
});
export type JobUpdate = z.infer<typeof JobUpdate>;

/** A chunk of a host's stdout/stderr, pushed only on a per-job stream (`?job=<id>`). */
export const OutputChunk = z.object({
  event_type: z.literal("output"),
  job_id: z.string(),
  host_id: z.string(),
  stream: z.enum(["stdout", "stderr"]),
  seq: z.number().int().nonnegative(),
  data: z.string(),
});
export type OutputChunk = z.infer<typeof OutputChunk>;

export const StreamEvent = z.union([JobUpdate, OutputChunk]);
export type StreamEvent = z.infer<typeof StreamEvent>;

/** The name of the one EventHub Durable Object (dashboards' fan-out). */
export const EVENT_HUB_NAME = "fleet";
