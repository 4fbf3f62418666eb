import { toHex } from "@fleetgate/auth";
import {
  CreateJobRequest,
  type ErrorThreshold,
  errorResponses,
  IdParam,
  iso,
  isoOrNull,
  JobCreated,
  JobDetail,
  JobHostParams,
  JobList,
  JobListQuery,
  JobOutputQuery,
  json,
  jsonBody,
  Message,
  RollbackCreated,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import { protectedRoute } from "../route";

const tags = ["Jobs"];
const P = "/jobs";

const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Idempotency-Key: same key → the same job back",
    }),
});

const create = protectedRoute(P, "write", {
  method: "post",
  path: "",
  tags,
  summary:
    "Run an allowlisted script on hosts (by id, or by group/tag filter), in waves; or a patch job (kind patch_apply, the reference body)",
  request: { headers: IdempotencyHeader, body: jsonBody(CreateJobRequest) },
  responses: { 200: json(JobCreated), ...errorResponses(400, 401, 403, 409), 422: json(z.unknown(), "No hosts") },
});
const list = protectedRoute(P, "read", {
  method: "get",
  path: "",
  tags,
  summary: "Jobs the caller may see, newest first",
  request: { query: JobListQuery },
  responses: { 200: json(JobList), ...errorResponses(400, 401, 403) },
});
const get = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "A job and its per-host rows with output",
  request: { params: IdParam },
  responses: { 200: json(JobDetail), ...errorResponses(400, 401, 403, 404) },
});
const output = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/hosts/{host_id}/output",
  tags,
  summary: "The full stdout or stderr of one host (beyond the preview in the job)",
  request: { params: JobHostParams, query: JobOutputQuery },
  responses: {
    200: { description: "Output", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(400, 401, 403, 404),
  },
});
const cancel = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/cancel",
  tags,
  summary:
    "Cancel a job: patch jobs only while queued or pending (409 invalid_state otherwise); script jobs also while running (pending hosts never start, running scripts are stopped)",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
});
const rollback = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/rollback",
  tags,
  summary: "Roll the hosts of a finished patch job back to their exact pre-patch versions (a new job of kind rollback)",
  request: { params: IdParam },
  responses: {
    200: json(RollbackCreated),
    ...errorResponses(400, 401, 403, 404, 409),
    422: json(z.unknown(), "No hosts to roll back"),
  },
});

const vis = (c: Parameters<typeof currentIdentity>[0]) => svc.visibilityOf(currentIdentity(c));

function threshold(v: number | string | null): ErrorThreshold | null {
  if (v === null) return null;
  if (typeof v === "number") return { kind: "count", value: v };
  return { kind: "percent", value: Number(v.slice(0, -1)) };
}

async function sha256(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

const jobSummary = (j: svc.JobRow, hostNames: string[]) => ({
  id: j.id,
  reqid: j.reqid,
  kind: j.kind,
  status: j.status,
  immediate: true,
  notes: j.notes,
  script: j.script,
  mode: j.mode,
  created_at: iso(j.createdAt),
  started_at: isoOrNull(j.startedAt),
  completed_at: isoOrNull(j.completedAt),
  host_count: j.hostCount,
  succeeded_count: j.succeededCount,
  failed_count: j.failedCount,
  host_names: hostNames,
});

export const jobsRouter = createRouter()
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    if (body.host_ids?.length === 0) throw new ApiError(400, "bad_request", "host_ids must not be empty");
    if (body.kind === "patch_apply") {
      const { job } = await svc.submitJob(await domain(c), {
        job: {
          kind: "patch_apply",
          packages: body.packages,
          immediate: body.immediate,
          maintenanceWindowId: body.maintenance_window_id ?? null,
          allowReboot: body.allow_reboot,
          securityOnly: body.security_only,
          expectedMinutes: body.expected_minutes,
        },
        hosts: { ids: body.host_ids },
        visibility: vis(c),
        mode: "async",
        notes: body.notes,
        options: {
          source: "native",
          timeout_seconds: body.timeout_seconds,
          queue_ttl_seconds: 3600,
          require_online: false,
          max_parallel: body.max_parallel,
          error_threshold: threshold(body.error_threshold),
          submitter: { username: currentIdentity(c).name, source_ip: c.get("clientIp") },
        },
      });
      return c.json({ id: job.id, reqid: job.reqid, message: "Job created" }, 200);
    }
    const { job } = await svc.submitJob(await domain(c), {
      job: { kind: "script", script: body.script, args: body.args },
      hosts: body.host_ids !== undefined ? { ids: body.host_ids } : { filter: body.host_filter ?? {} },
      visibility: vis(c),
      mode: "async",
      notes: body.notes,
      idempotencyKey: c.req.valid("header")["idempotency-key"],
      options: {
        source: "native",
        timeout_seconds: body.timeout_seconds,
        queue_ttl_seconds: body.queue_ttl_seconds,
        require_online: false,
        max_parallel: body.max_parallel,
        error_threshold: threshold(body.error_threshold),
        submitter: { username: currentIdentity(c).name, source_ip: c.get("clientIp") },
        request_hash: await sha256(JSON.stringify(body)),
        ...(body.host_filter ? { host_filter: body.host_filter } : {}),
      },
    });
    return c.json({ id: job.id, reqid: job.reqid, message: "Job created" }, 200);
  })
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const ctx = await domain(c);
    const page = await svc.listJobs(ctx, q, vis(c));
    const names = await svc.hostNamesOf(
      ctx,
      page.jobs.map((j) => j.id),
      vis(c),
    );
    return c.json(
      {
        jobs: page.jobs.map((j) => jobSummary(j, names.get(j.id) ?? [])),
        total: page.total,
        limit: q.limit,
        offset: q.offset,
      },
      200,
    );
  })
  .openapi(get, async (c) => {
    const ctx = await domain(c);
    const job = await svc.getVisibleJob(ctx, c.req.valid("param").id, vis(c));
    await svc.relaunchIfStuck(ctx, job);
    const scope = await svc.jobScope(ctx, job.id, vis(c));
    const rows = (await svc.jobHostRows(ctx.db, job.id)).filter((r) => svc.scopeShows(scope, r.hostId));
    const display = await svc.displayNamesOf(
      ctx,
      rows.map((r) => r.hostId),
    );
    const patch = await svc.patchJobOf(ctx, job.id);
    const plans = new Map(patch?.hosts.map((h) => [h.hostId, h.plan]) ?? []);
    return c.json(
      {
        job: {
          id: job.id,
          reqid: job.reqid,
          kind: job.kind,
          status: job.status,
          created_by_user_id: job.createdBy,
          parent_job_id: patch?.job.parentJobId ?? null,
          maintenance_window_id: patch?.job.maintenanceWindowId ?? null,
          immediate: patch?.job.immediate ?? true,
          patch_selection: patch
            ? {
                packages: patch.job.packages,
                security_only: patch.job.securityOnly,
                allow_reboot: patch.job.allowReboot,
              }
            : null,
          notes: job.notes,
          script: job.script,
          // Arguments may carry other hosts' data: only for callers who see every target.
          args: scope.whole ? job.args : [],
          mode: job.mode,
          options: publicOptions(job.options),
          host_count: job.hostCount,
          succeeded_count: job.succeededCount,
          failed_count: job.failedCount,
          created_at: iso(job.createdAt),
          started_at: isoOrNull(job.startedAt),
          completed_at: isoOrNull(job.completedAt),
        },
        hosts: rows.map((r) => ({
          id: r.id,
          host_id: r.hostId,
          host_name: r.hostName,
          display_name: display.get(r.hostId) ?? r.hostName,
          host_display_name: display.get(r.hostId) ?? r.hostName,
          status: r.status as z.infer<typeof JobDetail>["hosts"][number]["status"],
          agent_job_id: r.commandId,
          retry_count: 0,
          exit_code: r.exitCode,
          output: r.stdout,
          stdout: r.stdout,
          stderr: r.stderr,
          output_truncated: r.outputKey !== null,
          error_message: r.error,
          last_error: r.error,
          started_at: isoOrNull(r.startedAt),
          completed_at: isoOrNull(r.completedAt),
          plan: patch ? (plans.get(r.hostId) ?? []) : null,
        })),
      },
      200,
    );
  })
  .openapi(output, async (c) => {
    const p = c.req.valid("param");
    const input = { jobId: p.id, hostId: p.host_id, stream: c.req.valid("query").stream };
    return c.text(await svc.readHostOutput(await domain(c), input, vis(c)), 200);
  })
  .openapi(cancel, async (c) => {
    await svc.cancelJob(await domain(c), c.req.valid("param").id, vis(c));
    return c.json({ message: "Job cancelled" }, 200);
  })
  .openapi(rollback, async (c) => {
    const submitter = { username: currentIdentity(c).name, source_ip: c.get("clientIp") };
    const job = await svc.createRollbackJob(await domain(c), c.req.valid("param").id, vis(c), submitter);
    return c.json({ id: job.id, parent_job_id: c.req.valid("param").id, message: "Rollback job created" }, 200);
  });

/** Job options without the submitter's address or the request hash. */
function publicOptions(o: Record<string, unknown>): Record<string, unknown> {
  const { submitter: _s, request_hash: _h, ...rest } = o;
  return rest;
}
