import type { AsyncSubmitResult } from "@fleetgate/contract";
import {
  assertScriptUnlocked,
  createScriptJob,
  hostById,
  type JobOptions,
  jobHostRows,
  log,
  resolveHostsByName,
} from "@fleetgate/domain";
import type { HostProgress } from "@fleetgate/realtime";
import type { z } from "zod";
import { domain } from "../../../lib/domain-context";
import { awaitJob, launchJob } from "../../../lib/jobs";
import { createRouter } from "../../../lib/router";
import { hostList, jsonObjectBody, perlTruthy, registryName, stringOrEmpty } from "../body";
import { badRequest, ExecError } from "../errors";
import { authorizeExec } from "../exec-auth";
import { fullOutput, READ_TIMEOUT_SECONDS, rtt, syncResult } from "../render";

/** ctrl-exec's `max_parallel`: hosts dispatched at once per run. */
const MAX_PARALLEL = 64;
/** A sync run delivers only to connected hosts; this is how long a just-sent command may wait to start. */
const SYNC_DELIVERY_SECONDS = 15;
/** An async run queues commands for offline hosts this long (they run when the host reconnects). */
const ASYNC_QUEUE_TTL_SECONDS = 3600;
/** How long an async /run waits for the agents' acknowledgements before answering 202. */
const ASYNC_ACK_WAIT_MS = 5_000;
const MAX_ARGS = 256;
const MAX_ARG_CHARS = 4096;
const SCRIPT = /^[\w-]+$/;

/**
 * `POST /run` (ctrl-exec.md §5), in ctrl-exec's order: parse → validate →
 * auth(run) → lock (409) → registry (404) → reqid → dispatch.
 */
export const runRouter = createRouter().post("/run", async (c) => {
  const started = Date.now();
  const body = await jsonObjectBody(c);
  const hosts = hostList(body.hosts);
  const script = body.script;
  // Perl: `$script && $script =~ /^[\w-]+$/` ("0" is false in Perl).
  if (typeof script !== "string" || script === "" || script === "0" || !SCRIPT.test(script) || script.length > 100) {
    throw badRequest("script name required (alphanumeric and hyphens only)");
  }
  const rawArgs = body.args ?? [];
  if (!Array.isArray(rawArgs)) throw badRequest("args must be an array");
  if (!rawArgs.every((a) => typeof a === "string")) throw badRequest("args must be an array of strings");
  const args = rawArgs as string[];
  if (args.length > MAX_ARGS) throw badRequest(`too many args (max ${MAX_ARGS})`);
  if (args.some((a) => a.length > MAX_ARG_CHARS))
    throw badRequest(`argument too long (max ${MAX_ARG_CHARS} characters)`);
  const isAsync = perlTruthy(body.async);
  const username = stringOrEmpty(body.username);

  const caller = await authorizeExec(c, "run", stringOrEmpty(body.token));
  const ctx = await domain(c);
  const names = hosts.map(registryName);
  const resolved = await resolveHostsByName(ctx, names, caller.visibility);
  // The lock is checked before the registry (ctrl-exec's order); a lock names the hosts as requested.
  const labels = hosts.flatMap((h) => {
    const found = resolved.found.get(registryName(h));
    return found ? [{ id: found.id, label: h }] : [];
  });
  await assertScriptUnlocked(ctx, script, labels);
  if (resolved.unknown.length > 0) {
    throw new ExecError(404, "unknown agent", { detail: `not a registered agent: ${resolved.unknown.join(", ")}` });
  }
  const targets = [...new Set(names)].flatMap((n) => {
    const h = resolved.found.get(n);
    return h ? [h] : [];
  });
  const options: JobOptions = {
    source: "exec",
    timeout_seconds: READ_TIMEOUT_SECONDS,
    queue_ttl_seconds: isAsync ? ASYNC_QUEUE_TTL_SECONDS : SYNC_DELIVERY_SECONDS,
    require_online: !isAsync,
    max_parallel: MAX_PARALLEL,
    error_threshold: null,
    submitter: { username, source_ip: c.get("clientIp") },
    requested_hosts: hosts,
  };
  const created = await createScriptJob(ctx, {
    script,
    args,
    mode: isAsync ? "async" : "sync",
    hosts: targets,
    options,
    labels,
  });
  const { job, plan } = created;
  // Always logged (whatever LOG_LEVEL): the reqid is how operators correlate a run across logs.
  log("info", `ACTION=run HOSTS=${names.join(",")} REQID=${job.reqid} SCRIPT=${script} MODE=${job.mode}`, {
    requestId: c.get("requestId"),
    reqid: job.reqid,
    job_id: job.id,
  });
  await launchJob(c.env, plan);

  if (isAsync) {
    const progress = await awaitJob(c.env, job.id, ASYNC_ACK_WAIT_MS, "acks");
    const byHost = new Map((progress?.hosts ?? []).map((h) => [h.host_id, h]));
    const results = targets.map((t) => asyncSubmitResult(t.name, job.reqid, byHost.get(t.id), started));
    return c.json({ ok: true as const, async: true as const, reqid: job.reqid, results }, 202);
  }

  // Waves of MAX_PARALLEL; each host gets its read timeout plus delivery and result grace.
  const waves = Math.ceil(targets.length / MAX_PARALLEL);
  const progress = await awaitJob(
    c.env,
    job.id,
    waves * (READ_TIMEOUT_SECONDS + SYNC_DELIVERY_SECONDS + 15) * 1000 + 5_000,
  );
  const rows = await jobHostRows(ctx.db, job.id);
  const byId = new Map(rows.map((r) => [r.hostId, r]));
  const dispatched = new Map((progress?.hosts ?? []).map((h) => [h.host_id, h.dispatched_at]));
  const results = await Promise.all(
    targets.map(async (t) => {
      const row = byId.get(t.id);
      if (!row)
        return { host: t.name, script, exit: -1, error: "no result", rtt: rtt(Date.now() - started), reqid: job.reqid };
      const [out, host] = await Promise.all([fullOutput(c.env, row), hostById(ctx.db, t.id)]);
      return syncResult(job, row, out, {
        reportedHostname: host?.reportedHostname,
        elapsedMs: Date.now() - started,
        dispatchedAt: dispatched.get(t.id) ?? job.createdAt,
      });
    }),
  );
  return c.json({ ok: true as const, reqid: job.reqid, results }, 200);
});

type SubmitResult = z.infer<typeof AsyncSubmitResult>;

/** accepted (the agent took it, or it waits in the queue of an offline host) | error (refused or failed at once). */
function asyncSubmitResult(host: string, reqid: string, p: HostProgress | undefined, started: number): SubmitResult {
  const took = p?.acked_at ?? p?.completed_at ?? Date.now();
  const base = { host, reqid, rtt: rtt(took - (p?.dispatched_at ?? started)) };
  if (!p) return { ...base, status: "accepted" };
  if (p.status === "failed" || p.status === "offline_expired" || p.status === "cancelled") {
    const error =
      p.error === "not_allowlisted"
        ? "script not allowlisted on this host"
        : p.status === "offline_expired"
          ? "host offline"
          : (p.error ?? p.status);
    return { ...base, status: "error", error };
  }
  return { ...base, status: "accepted" };
}
