import type { PingResultBody } from "@fleetgate/contract";
import { log, logAt, newReqid, resolveHostsByName } from "@fleetgate/domain";
import { domain } from "../../../lib/domain-context";
import { hostChannel } from "../../../lib/jobs";
import { createRouter } from "../../../lib/router";
import { hostList, jsonObjectBody, registryName, stringOrEmpty } from "../body";
import { ExecError } from "../errors";
import { authorizeExec } from "../exec-auth";
import { opensslDate, READ_TIMEOUT_SECONDS, rtt } from "../render";

/**
 * `POST /ping` (ctrl-exec.md §5): parse → validate → auth(ping) → registry
 * (404) → ping every host in parallel. Per-host failures are inline; an agent
 * that does not answer within the read timeout is an `error` entry.
 */
export const pingRouter = createRouter().post("/ping", async (c) => {
  const body = await jsonObjectBody(c);
  const hosts = hostList(body.hosts);
  const caller = await authorizeExec(c, "ping", stringOrEmpty(body.token));
  const ctx = await domain(c);
  const names = hosts.map(registryName);
  const resolved = await resolveHostsByName(ctx, names, caller.visibility);
  if (resolved.unknown.length > 0) {
    throw new ExecError(404, "unknown agent", { detail: `not a registered agent: ${resolved.unknown.join(", ")}` });
  }
  const reqid = newReqid();
  log("info", `ACTION=ping HOSTS=${names.join(",")} REQID=${reqid}`, { requestId: c.get("requestId"), reqid });
  const results = await Promise.all(
    hosts.map(async (given): Promise<PingResultBody> => {
      const name = registryName(given);
      const host = resolved.found.get(name);
      if (!host) return { host: given, status: "error", error: "unknown agent", rtt: "0ms" };
      const started = Date.now();
      try {
        const p = await hostChannel(c.env, host.id).ping(READ_TIMEOUT_SECONDS * 1000);
        if (!p.ok) return { host: given, status: "error", error: p.error ?? "no response", rtt: rtt(p.rtt_ms) };
        return {
          host: given,
          status: "ok",
          rtt: rtt(p.rtt_ms),
          ...(p.cert_not_after ? { expiry: opensslDate(p.cert_not_after) } : {}),
          version: p.version ?? "unknown",
          reqid,
          ...(p.hostname && p.hostname !== name ? { reported_hostname: p.hostname } : {}),
        };
      } catch (err) {
        logAt(c.env.LOG_LEVEL, "warn", `REQID=${reqid} ping failed`, { reqid, host: name, error: String(err) });
        return { host: given, status: "error", error: "no response", rtt: rtt(Date.now() - started) };
      }
    }),
  );
  return c.json({ ok: true as const, results }, 200);
});
