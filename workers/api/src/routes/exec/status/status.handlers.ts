import type { HostStatusBody } from "@fleetgate/contract";
import {
  hostById,
  jobByReqid,
  jobHostRows,
  jobOptionsOf,
  jobScope,
  jobVisibleTo,
  logAt,
  readFullOutput,
  relaunchIfStuck,
  scopeShows,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { bearerToken } from "../body";
import { ExecError } from "../errors";
import { authorizeExec } from "../exec-auth";
import { asyncHostStatus, isPendingForExec, syncResult, unix } from "../render";
import type { status } from "./status.routes";

/** Records are served for 24 h after their last change (ctrl-exec `RunStore` TTL). */
export const STATUS_RETENTION_MS = 24 * 3_600_000;

/**
 * `GET /status/{reqid}` (lowercase hex only; anything else is the face's
 * "no route" 404). Unknown, expired and unauthorised reqids all answer the
 * same 404, so a caller learns nothing about runs it may not see.
 */
export const getRunStatus: RouteHandler<typeof status, AppEnv> = async (c) => {
  const reqid = c.req.param("reqid");
  const notFound = () => new ExecError(404, "not found", { detail: `no result for reqid ${reqid}` });
  let caller: Awaited<ReturnType<typeof authorizeExec>>;
  try {
    caller = await authorizeExec(c, "status", bearerToken(c));
  } catch (err) {
    if (err instanceof ExecError) throw notFound();
    throw err;
  }
  const ctx = await domain(c);
  const now = ctx.now();
  const job = reqid.length <= 64 ? await jobByReqid(ctx, reqid) : undefined;
  if (!job) throw notFound();
  const lastChange = job.completedAt ?? job.startedAt ?? job.createdAt;
  if (job.completedAt !== null && now - lastChange > STATUS_RETENTION_MS) throw notFound();
  if (!(await jobVisibleTo(ctx, job.id, caller.visibility))) throw notFound();
  await relaunchIfStuck(ctx, job);

  // Only the hosts the caller may see (docs/remote-execution.md "Who sees which job rows").
  const scope = await jobScope(ctx, job.id, caller.visibility);
  const rows = (await jobHostRows(ctx.db, job.id)).filter((r) => scopeShows(scope, r.hostId));
  const outputs = await Promise.all(rows.map((r) => readFullOutput(ctx, r)));
  const options = jobOptionsOf(job);
  if (job.mode === "sync") {
    const finished = rows.filter((r) => r.completedAt !== null);
    const results = await Promise.all(
      finished.map(async (r) => {
        const host = await hostById(ctx.db, r.hostId);
        return syncResult(job, r, outputs[rows.indexOf(r)] ?? r, {
          reportedHostname: host?.reportedHostname,
          elapsedMs: now - job.createdAt,
          dispatchedAt: job.startedAt ?? job.createdAt,
        });
      }),
    );
    const complete = job.completedAt !== null;
    return c.json(
      {
        ok: true as const,
        reqid: job.reqid,
        script: job.script ?? "",
        mode: "sync" as const,
        hosts: (scope.whole ? options.requested_hosts : undefined) ?? rows.map((r) => r.hostName),
        results,
        ...(complete && job.completedAt !== null ? { completed: unix(job.completedAt) } : {}),
        complete,
      },
      200,
    );
  }
  const hosts: Record<string, HostStatusBody> = {};
  rows.forEach((r, i) => {
    hosts[r.hostName] = asyncHostStatus(job, r, outputs[i] ?? r);
  });
  const pending = Object.keys(hosts)
    .filter((h) => {
      const s = hosts[h];
      return s !== undefined && isPendingForExec(s);
    })
    .sort();
  logAt(c.env.LOG_LEVEL, "info", `ACTION=status REQID=${reqid}`, {
    requestId: c.get("requestId"),
    reqid,
    pending: pending.length,
  });
  return c.json(
    {
      ok: true as const,
      reqid: job.reqid,
      script: job.script ?? "",
      mode: "async" as const,
      created: unix(job.createdAt),
      complete: pending.length === 0,
      pending,
      hosts,
    },
    200,
  );
};
