import { PingRequest, type PingResultBody } from "@fleetgate/contract";
import { type PingResult, pingHosts } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { execRequest, jsonObjectBody, registryName, stringOrEmpty } from "../body";
import { authorizeExec } from "../exec-auth";
import { opensslDate, READ_TIMEOUT_SECONDS, rtt } from "../render";
import type { ping } from "./ping.routes";

/**
 * `POST /ping` (ctrl-exec.md §5): parse → validate → auth(ping) → registry
 * (404) → ping every host in parallel. Per-host failures are inline; an agent
 * that does not answer within the read timeout is an `error` entry.
 */
export const pingAgents: RouteHandler<typeof ping, AppEnv> = async (c) => {
  const body = execRequest(PingRequest, await jsonObjectBody(c));
  const { hosts } = body;
  const caller = await authorizeExec(c, "ping", stringOrEmpty(body.token));
  const { reqid, results } = await pingHosts(
    await domain(c),
    hosts.map((h) => ({ name: registryName(h), label: h })),
    caller.visibility,
    READ_TIMEOUT_SECONDS * 1000,
  );
  return c.json({ ok: true as const, results: results.map((r) => pingResult(r, reqid)) }, 200);
};

/** A ping entry (ctrl-exec.md §5): per-host failures inline, never HTTP errors. */
function pingResult({ label, name, outcome: p }: PingResult, reqid: string): PingResultBody {
  if (!p.ok) return { host: label, status: "error", error: p.error ?? "no response", rtt: rtt(p.rtt_ms) };
  return {
    host: label,
    status: "ok",
    rtt: rtt(p.rtt_ms),
    ...(p.cert_not_after ? { expiry: opensslDate(p.cert_not_after) } : {}),
    version: p.version ?? "unknown",
    reqid,
    ...(p.hostname && p.hostname !== name ? { reported_hostname: p.hostname } : {}),
  };
}
