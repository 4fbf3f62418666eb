import { DiscoveryRequest, type HostCapabilitiesBody } from "@fleetgate/contract";
import { hostsWithScripts, registryEmpty, registryNames, resolveHostsByName } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { bearerToken, execRequest, lenientBody, registryName, stringOrEmpty } from "../body";
import { ExecError } from "../errors";
import { authorizeExec } from "../exec-auth";

/**
 * `GET|POST /discovery` (ctrl-exec.md §5): optional body `{hosts?, token?}`
 * (invalid JSON counts as `{}`), all registered hosts when none are named, an
 * empty registry answered before auth, auth at the ping level, 404 for names
 * that are not registered. What an agent reported on its last connect is what
 * it allowlists now (the allowlist is read at agent start), so a connected
 * host answers from the registry; a disconnected one is an `error` entry.
 */
export async function discoverAgents(c: Context<AppEnv>) {
  // The schema's refusals concern named hosts only, which are checked after an empty registry anyway.
  const body = execRequest(DiscoveryRequest, c.req.method === "POST" ? await lenientBody(c) : {});
  const ctx = await domain(c);
  const named = body.hosts;
  if (!named && (await registryEmpty(ctx))) return c.json({ ok: true as const, hosts: {} }, 200);
  const token = stringOrEmpty(body.token) || bearerToken(c);
  const caller = await authorizeExec(c, "discovery", token);
  const names = named ? named.map(registryName) : await registryNames(ctx, caller.visibility);
  const resolved = await resolveHostsByName(ctx, names, caller.visibility);
  if (resolved.unknown.length > 0) {
    throw new ExecError(404, "unknown agent", { detail: `not a registered agent: ${resolved.unknown.join(", ")}` });
  }
  const rows = await hostsWithScripts(
    ctx,
    [...resolved.found.values()].map((h) => h.id),
  );
  const hosts: Record<string, HostCapabilitiesBody> = {};
  for (const { host, scripts } of rows.sort((a, b) => a.host.name.localeCompare(b.host.name))) {
    hosts[host.name] = host.online
      ? {
          host: host.name,
          status: "ok",
          version: host.agentVersion,
          ...(host.reportedHostname && host.reportedHostname !== host.name
            ? { reported_hostname: host.reportedHostname }
            : {}),
          tags: host.tags,
          scripts: scripts.map((s) => ({ name: s.name, path: s.path, executable: s.executable })),
        }
      : { host: host.name, status: "error", error: "host offline" };
  }
  return c.json({ ok: true as const, hosts }, 200);
}
