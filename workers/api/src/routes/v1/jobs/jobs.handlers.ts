import { toHex } from "@fleetgate/auth";
import { type ErrorThreshold, iso, isoOrNull, type JobDetail } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import type * as r from "./jobs.routes";

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

export const createJobHandler: RouteHandler<typeof r.create, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  if (body.host_ids?.length === 0) throw new ApiError(400, "bad_request", "host_ids must not be empty");
  if (body.kind === "patch_remove" || body.kind === "patch_apply" || body.kind === "reboot") {
    const job: svc.SubmitJob["job"] =
      body.kind === "reboot"
        ? {
            kind: "reboot",
            onlyIfRequired: body.only_if_required,
            immediate: body.immediate,
            maintenanceWindowId: body.maintenance_window_id ?? null,
            expectedMinutes: body.expected_minutes,
          }
        : body.kind === "patch_remove"
          ? {
              kind: "patch_remove",
              packages: body.packages,
              immediate: body.immediate,
              maintenanceWindowId: body.maintenance_window_id ?? null,
              expectedMinutes: body.expected_minutes,
            }
          : {
              kind: "patch_apply",
              packages: body.packages,
              immediate: body.immediate,
              maintenanceWindowId: body.maintenance_window_id ?? null,
              allowReboot: body.allow_reboot,
              securityOnly: body.security_only,
              expectedMinutes: body.expected_minutes,
              rings: body.rings ?? null,
              onHealthFailure: body.on_health_failure ?? null,
            };
    const created = await svc.submitJob(await domain(c), {
      job,
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
    return c.json({ id: created.job.id, reqid: created.job.reqid, message: "Job created" }, 200);
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
};

export const listJobsHandler: RouteHandler<typeof r.list, AppEnv> = async (c) => {
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
};

export const getJobHandler: RouteHandler<typeof r.get, AppEnv> = async (c) => {
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
  const rings = patch
    ? await svc.jobRings(ctx, job, patch, await svc.jobHostRows(ctx.db, job.id), (id) => svc.scopeShows(scope, id))
    : null;
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
        on_health_failure: patch?.job.onHealthFailure ?? null,
        rings,
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
};

export const jobOutputHandler: RouteHandler<typeof r.output, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  const input = { jobId: p.id, hostId: p.host_id, stream: c.req.valid("query").stream };
  return c.text(await svc.readHostOutput(await domain(c), input, vis(c)), 200);
};

export const cancelJobHandler: RouteHandler<typeof r.cancel, AppEnv> = async (c) => {
  await svc.cancelJob(await domain(c), c.req.valid("param").id, vis(c));
  return c.json({ message: "Job cancelled" }, 200);
};

export const rollbackJobHandler: RouteHandler<typeof r.rollback, AppEnv> = async (c) => {
  const submitter = { username: currentIdentity(c).name, source_ip: c.get("clientIp") };
  const job = await svc.createRollbackJob(await domain(c), c.req.valid("param").id, vis(c), submitter);
  return c.json({ id: job.id, parent_job_id: c.req.valid("param").id, message: "Rollback job created" }, 200);
};

/** Job options without the submitter's address or the request hash. */
function publicOptions(o: Record<string, unknown>): Record<string, unknown> {
  const { submitter: _s, request_hash: _h, ...rest } = o;
  return rest;
}
