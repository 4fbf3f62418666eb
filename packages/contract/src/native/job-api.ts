import { z } from "@hono/zod-openapi";
import { ScriptName } from "../agent/protocol";
import { HOST_STATUSES, JOB_STATUSES } from "../realtime/rpc";
import { Timestamp, Uuid } from "./common";

/**
 * Script jobs on the native face (linux-patch-manager.md §4 Jobs). A job has
 * two names: its UUID here and its ctrl-exec `reqid`; both faces see it.
 */

export const JobStatusEnum = z.enum(JOB_STATUSES);
export const JobHostStatusEnum = z.enum(HOST_STATUSES);

/** `3` = more than 3 hosts failed; `"10%"` = more than 10 % of the hosts failed. */
export const ErrorThresholdInput = z.union([
  z.number().int().min(0).max(10_000),
  z
    .string()
    .regex(/^(100|[1-9]?[0-9])%$/, 'a percentage such as "10%"')
    .openapi({ example: "10%" }),
]);

export const HostFilter = z
  .object({
    group_id: Uuid.optional(),
    tag: z
      .string()
      .min(1)
      .max(321)
      .optional()
      .openapi({ description: "`key` (host has the tag) or `key=value`", example: "env=production" }),
  })
  .strict()
  .refine((f) => f.group_id !== undefined || f.tag !== undefined, "host_filter needs group_id or tag")
  .openapi("HostFilter", { description: "Hosts the caller may see that match; more than 10,000 matches is a 400" });

export const CreateScriptJobRequest = z
  .object({
    kind: z.literal("script"),
    script: ScriptName,
    args: z.array(z.string().max(4096)).max(256).default([]).openapi({ description: "Literal argv (never a shell)" }),
    host_ids: z.array(Uuid).max(10_000).optional(),
    host_filter: HostFilter.optional(),
    max_parallel: z.number().int().min(1).max(10_000).default(64),
    error_threshold: ErrorThresholdInput.nullable().default(null),
    timeout_seconds: z.number().int().min(1).max(86_400).default(60),
    queue_ttl_seconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(3600)
      .openapi({ description: "How long a command waits for an offline host before `offline_expired`" }),
    notes: z.string().max(10_000).default(""),
  })
  .strict()
  .refine((b) => (b.host_ids === undefined) !== (b.host_filter === undefined), {
    message: "exactly one of host_ids and host_filter is required",
    path: ["host_ids"],
  })
  .openapi("CreateScriptJobRequest");

/**
 * The reference's patch-job body (kind `patch_apply`, also when `kind` is absent) plus our
 * extensions `security_only`, `max_parallel`, `error_threshold` (docs/patching.md). The plan —
 * exact versions per host — is fixed from each host's reported pending updates when the job is created.
 */
export const CreatePatchJobRequest = z
  .object({
    kind: z.literal("patch_apply").default("patch_apply"),
    host_ids: z.array(Uuid).min(1, "host_ids must not be empty").max(10_000),
    packages: z
      .array(z.string().min(1).max(256))
      .max(1000)
      .default([])
      .openapi({ description: "Package names to update; [] = every pending update" }),
    immediate: z.boolean().default(true),
    maintenance_window_id: Uuid.nullable().optional().openapi({
      description:
        "Run in this window: the job is `pending` until it opens (also with `immediate: false` and no id: the hosts' own windows)",
    }),
    allow_reboot: z.boolean().default(false),
    notes: z.string().max(10_000).default(""),
    security_only: z.boolean().default(false),
    max_parallel: z.number().int().min(1).max(10_000).default(64),
    error_threshold: ErrorThresholdInput.nullable().default(null),
    timeout_seconds: z.number().int().min(60).max(86_400).default(3600),
    expected_minutes: z.number().int().min(1).max(1440).default(15).openapi({
      description:
        "Expected run time per host in a maintenance window: no host starts after the window's end minus this",
    }),
    rings: z.array(z.array(Uuid).min(1).max(10_000)).min(1).max(100).optional().openapi({
      description:
        "Ordered host sets of a health-gated rollout: every host of host_ids in exactly one ring; a ring starts only when the previous one passed (all hosts ended, post-patch health checks green, failures within error_threshold, which then counts per ring)",
    }),
    on_health_failure: z.enum(["stop", "rollback"]).optional().openapi({
      description:
        "Health-gated rollout: each host's health checks run on its agent before (a failure: not patched) and after patching; a failed post-check fails the ring and stops the rollout (`stop`, the default with rings), and with `rollback` also rolls the ring's hosts back to their exact previous versions. Alone (without rings): one ring of all hosts",
    }),
  })
  .strict()
  .openapi("CreatePatchJobRequest");

/**
 * Kind `patch_remove`: remove the named packages (at the version each host reported) after each
 * agent vaulted them; `POST /jobs/{id}/rollback` re-installs exactly those versions.
 */
export const CreatePatchRemoveJobRequest = z
  .object({
    kind: z.literal("patch_remove"),
    host_ids: z.array(Uuid).min(1, "host_ids must not be empty").max(10_000),
    packages: z
      .array(z.string().min(1).max(256))
      .min(1, "packages must name what to remove")
      .max(1000)
      .openapi({ description: "Package names to remove (every installed architecture)" }),
    immediate: z.boolean().default(true),
    maintenance_window_id: Uuid.nullable().optional(),
    notes: z.string().max(10_000).default(""),
    max_parallel: z.number().int().min(1).max(10_000).default(64),
    error_threshold: ErrorThresholdInput.nullable().default(null),
    timeout_seconds: z.number().int().min(60).max(86_400).default(3600),
    expected_minutes: z.number().int().min(1).max(1440).default(15),
  })
  .strict()
  .openapi("CreatePatchRemoveJobRequest");

/**
 * Kind `reboot` (docs/patching.md "Reboots"): each host's agent waits for its other commands,
 * the host is stored as `rebooting`, the agent reboots and, back with a new boot id, completes
 * the host with its new kernel. `timeout_seconds` bounds the whole reboot per host (a host not
 * back by then is `timed_out`). Needs `reboot.enabled` in the agent's config.
 */
export const CreateRebootJobRequest = z
  .object({
    kind: z.literal("reboot"),
    host_ids: z.array(Uuid).min(1, "host_ids must not be empty").max(10_000),
    only_if_required: z.boolean().default(false).openapi({
      description: "Reboot only the hosts whose last inventory says a reboot is required (none: 422 no_hosts)",
    }),
    immediate: z.boolean().default(true),
    maintenance_window_id: Uuid.nullable().optional(),
    notes: z.string().max(10_000).default(""),
    max_parallel: z.number().int().min(1).max(10_000).default(64),
    error_threshold: ErrorThresholdInput.nullable().default(null),
    timeout_seconds: z
      .number()
      .int()
      .min(60)
      .max(86_400)
      .default(900)
      .openapi({ description: "Per host: from the agent's ack until it is back after the reboot" }),
    expected_minutes: z.number().int().min(1).max(1440).default(15),
  })
  .strict()
  .openapi("CreateRebootJobRequest");

export const CreateJobRequest = z
  .union([CreateScriptJobRequest, CreatePatchJobRequest, CreatePatchRemoveJobRequest, CreateRebootJobRequest])
  .openapi("CreateJobRequest");
export type CreateJobRequest = z.infer<typeof CreateJobRequest>;

export const JobCreated = z.object({ id: Uuid, reqid: z.string(), message: z.string() }).openapi("JobCreated");
export const RollbackCreated = z
  .object({ id: Uuid, parent_job_id: Uuid, message: z.string() })
  .openapi("RollbackCreated");
/** One package of a host's patch plan: from → exactly `to_version` (null: removed, kind `patch_remove`). */
export const PatchPlanItemBody = z
  .object({
    name: z.string(),
    arch: z.string(),
    from_version: z.string().nullable(),
    to_version: z.string().nullable(),
  })
  .openapi("PatchPlanItem");

export const JobSummary = z
  .object({
    id: Uuid,
    reqid: z.string(),
    kind: z.string(),
    status: JobStatusEnum,
    immediate: z.boolean(),
    notes: z.string(),
    script: z.string().nullable(),
    mode: z.enum(["sync", "async"]),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
    host_count: z.number().int(),
    succeeded_count: z.number().int(),
    failed_count: z.number().int(),
    host_names: z.array(z.string()),
  })
  .openapi("JobSummary");

export const JobList = z
  .object({ jobs: z.array(JobSummary), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi("JobList");

export const JobHostRow = z
  .object({
    id: Uuid,
    host_id: z.string(),
    host_name: z.string(),
    display_name: z.string(),
    /** The reference product's current name for `display_name` (its SPA reads this one). */
    host_display_name: z.string(),
    status: JobHostStatusEnum,
    agent_job_id: z.string().nullable().openapi({ description: "The command id sent to the agent" }),
    retry_count: z.number().int(),
    exit_code: z.number().int().nullable(),
    output: z.string().openapi({ description: "stdout (a preview when output_truncated)" }),
    stdout: z.string(),
    stderr: z.string(),
    output_truncated: z.boolean().openapi({ description: "Full output: GET …/hosts/{host_id}/output" }),
    error_message: z.string().nullable(),
    last_error: z.string().nullable(),
    started_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
    /** Patch jobs: this host's plan, fixed when the job was created (null for other kinds). */
    plan: z.array(PatchPlanItemBody).nullable().optional(),
  })
  .openapi("JobHostRow");

/** One ring of a health-gated rollout as `GET /jobs/{id}` shows it (our extension). */
export const JobRing = z
  .object({
    index: z.number().int().openapi({ description: "0-based; rings run in this order" }),
    state: z.enum(["waiting", "running", "passed", "failed", "cancelled"]),
    host_ids: z.array(z.string()),
    host_count: z.number().int(),
    succeeded_count: z.number().int(),
    failed_count: z.number().int(),
    health_failed_count: z.number().int().openapi({ description: "Hosts whose post-patch health check failed" }),
    reason: z.string().nullable().openapi({ description: "Why a failed ring failed" }),
    rollback_job_id: z
      .string()
      .nullable()
      .openapi({ description: "The automatic rollback job of this ring (on_health_failure: rollback)" }),
  })
  .openapi("JobRing");

export const JobDetail = z
  .object({
    job: z.object({
      id: Uuid,
      reqid: z.string(),
      kind: z.string(),
      status: JobStatusEnum,
      created_by_user_id: z.string().nullable(),
      parent_job_id: z.string().nullable(),
      maintenance_window_id: z.string().nullable(),
      immediate: z.boolean(),
      patch_selection: z.unknown().nullable(),
      notes: z.string(),
      script: z.string().nullable(),
      args: z.array(z.string()),
      mode: z.enum(["sync", "async"]),
      options: z.record(z.string(), z.unknown()),
      host_count: z.number().int(),
      succeeded_count: z.number().int(),
      failed_count: z.number().int(),
      created_at: Timestamp,
      started_at: Timestamp.nullable(),
      completed_at: Timestamp.nullable(),
      /** Health-gated rollouts (null: none). */
      on_health_failure: z.enum(["stop", "rollback"]).nullable().optional(),
      rings: z.array(JobRing).nullable().optional(),
    }),
    hosts: z.array(JobHostRow),
  })
  .openapi("JobDetail");

export const JobHostParams = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" } }),
  host_id: Uuid.openapi({ param: { name: "host_id", in: "path" } }),
});
export const JobOutputQuery = z.object({ stream: z.enum(["stdout", "stderr"]).default("stdout") });

/** `POST /ws/ticket` (linux-patch-manager.md §6). */
export const WsTicket = z.object({ ticket: z.string() }).openapi("WsTicket");
export const WsJobsQuery = z.object({
  ticket: z.string().max(64).optional(),
  job: Uuid.optional().openapi({ description: "Only this job's events, plus its output chunks" }),
});

/** `GET|PUT /settings/ctrl-exec`: anonymous ctrl-exec access, denied unless configured. */
export const CtrlExecSettings = z
  .object({
    anonymous_actions: z
      .array(z.enum(["discovery", "status", "ping"]))
      .max(3)
      .openapi({
        description: "Actions allowed without a token (the reference CLI sends none on GET /discovery, GET /status)",
      }),
    anonymous_cidrs: z
      .array(z.string().max(64))
      .max(100)
      .openapi({
        description: "Source addresses (CF-Connecting-IP) allowed to use them; empty = nobody",
        example: ["10.0.0.0/8"],
      }),
  })
  .strict()
  .openapi("CtrlExecSettings");
export type CtrlExecSettings = z.infer<typeof CtrlExecSettings>;
