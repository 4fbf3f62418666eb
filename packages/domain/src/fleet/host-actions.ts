import { log, logAt } from "../log";
import type { PingOutcome } from "../ports/host-channels.port";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import type { HostRow } from "./host-records";
import { deleteHost } from "./hosts.service";
import { newReqid } from "./job-plan";
import { resolveHostsByName } from "./job-targets.query";
import type { Visibility } from "./visibility";

/**
 * Removes a host the caller may see (row, certificates revoked — see deleteHost)
 * and closes its agent's connection. A failure to close is logged only: the
 * agent can no longer authenticate anyway.
 */
export async function removeHost(ctx: DomainContext, id: string, v: Visibility): Promise<HostRow> {
  const host = await deleteHost(ctx, id, v);
  try {
    await ctx.hostChannels.disconnect(host.id, "host removed");
  } catch (err) {
    logAt(ctx.logLevel, "warn", "closing the removed host's connection failed", {
      host_id: host.id,
      error: String(err),
    });
  }
  return host;
}

/** One pinged host: as the caller named it, its registry name, and the agent's answer (or why there is none). */
export interface PingResult {
  label: string;
  name: string;
  outcome: PingOutcome;
}

/**
 * Pings hosts by registry name in parallel (unknown names are refused first
 * with `fleet.unknown_hosts`). An agent that does not answer within
 * `timeoutMs`, or whose channel fails, is an `ok: false` outcome.
 */
export async function pingHosts(
  ctx: DomainContext,
  hosts: { name: string; label: string }[],
  v: Visibility,
  timeoutMs: number,
): Promise<{ reqid: string; results: PingResult[] }> {
  const resolved = await resolveHostsByName(
    ctx,
    hosts.map((h) => h.name),
    v,
  );
  if (resolved.unknown.length > 0) {
    throw new DomainError("fleet.unknown_hosts", { details: { hosts: resolved.unknown, by: "name" } });
  }
  const reqid = newReqid();
  log("info", `ACTION=ping HOSTS=${hosts.map((h) => h.name).join(",")} REQID=${reqid}`, {
    requestId: ctx.requestId,
    reqid,
  });
  const results = await Promise.all(
    hosts.map(async ({ name, label }): Promise<PingResult> => {
      const host = resolved.found.get(name);
      if (!host) return { label, name, outcome: { ok: false, error: "unknown agent", rtt_ms: 0 } };
      const started = Date.now();
      try {
        return { label, name, outcome: await ctx.hostChannels.ping(host.id, timeoutMs) };
      } catch (err) {
        logAt(ctx.logLevel, "warn", `REQID=${reqid} ping failed`, { reqid, host: name, error: String(err) });
        return { label, name, outcome: { ok: false, error: "no response", rtt_ms: Date.now() - started } };
      }
    }),
  );
  return { reqid, results };
}
