import { type AsyncSubmitResult, RunRequest } from "@fleetgate/contract";
import { type HostProgress, submitJob } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { execRequest, jsonObjectBody, perlTruthy, registryName, stringOrEmpty } from "../body";
import { authorizeExec } from "../exec-auth";
import { READ_TIMEOUT_SECONDS, rtt, syncResult } from "../render";
import type { run } from "./run.routes";

/** ctrl-exec's `max_parallel`: hosts dispatched at once per run. */
const MAX_PARALLEL = 64;
/** A sync run delivers only to connected hosts; this is how long a just-sent command may wait to start. */
const SYNC_DELIVERY_SECONDS = 15;
/** An async run queues commands for offline hosts this long (they run when the host reconnects). */
const ASYNC_QUEUE_TTL_SECONDS = 3600;
/** How long an async /run waits for the agents' acknowledgements before answering 202. */
const ASYNC_ACK_WAIT_MS = 5_000;

/**
 * `POST /run` (ctrl-exec.md §5), in ctrl-exec's order: parse → validate →
 * auth(run) → lock (409) → registry (404) → reqid → dispatch.
 */
export const runScript: RouteHandler<typeof run, AppEnv> = async (c) => {
  const started = Date.now();
  const body = execRequest(RunRequest, await jsonObjectBody(c));
  const { hosts, script } = body;
  const args = body.args ?? [];
  const isAsync = perlTruthy(body.async);
  const username = stringOrEmpty(body.username);

  const caller = await authorizeExec(c, "run", stringOrEmpty(body.token));
  // Waves of MAX_PARALLEL; each host gets its read timeout plus delivery and result grace.
  const waves = Math.ceil(new Set(hosts.map(registryName)).size / MAX_PARALLEL);
  const submitted = await submitJob(await domain(c), {
    job: { kind: "script", script, args },
    hosts: { names: hosts.map((h) => ({ name: registryName(h), label: h })) },
    visibility: caller.visibility,
    mode: isAsync ? "async" : "sync",
    options: {
      source: "exec",
      timeout_seconds: READ_TIMEOUT_SECONDS,
      queue_ttl_seconds: isAsync ? ASYNC_QUEUE_TTL_SECONDS : SYNC_DELIVERY_SECONDS,
      require_online: !isAsync,
      max_parallel: MAX_PARALLEL,
      error_threshold: null,
      submitter: { username, source_ip: c.get("clientIp") },
      requested_hosts: hosts,
    },
    wait: isAsync
      ? { until: "acks", timeoutMs: ASYNC_ACK_WAIT_MS }
      : { until: "complete", timeoutMs: waves * (READ_TIMEOUT_SECONDS + SYNC_DELIVERY_SECONDS + 15) * 1000 + 5_000 },
  });
  const { job, progress } = submitted;

  if (isAsync) {
    const byHost = new Map((progress?.hosts ?? []).map((h) => [h.host_id, h]));
    const results = submitted.targets.map((t) => asyncSubmitResult(t.name, job.reqid, byHost.get(t.id), started));
    return c.json({ ok: true as const, async: true as const, reqid: job.reqid, results }, 202);
  }

  const dispatched = new Map((progress?.hosts ?? []).map((h) => [h.host_id, h.dispatched_at]));
  const results = (submitted.results ?? []).map(({ target, row, output, host }) =>
    row
      ? syncResult(job, row, output, {
          reportedHostname: host?.reportedHostname,
          elapsedMs: Date.now() - started,
          dispatchedAt: dispatched.get(target.id) ?? job.createdAt,
        })
      : { host: target.name, script, exit: -1, error: "no result", rtt: rtt(Date.now() - started), reqid: job.reqid },
  );
  return c.json({ ok: true as const, reqid: job.reqid, results }, 200);
};

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
