import { hostsWithScripts, registryNames, resolveHostsByName } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type { Router } from "../../../lib/router";
import { bearerToken } from "../body";
import { authorizeExec } from "../exec-auth";

type Doc = Record<string, unknown> & {
  info: { version: string };
  components?: { schemas?: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
};

/** The face's OpenAPI 3.1 document, generated from its zod schemas and registered paths. */
function document(exec: Router, c: Context<AppEnv>): Doc {
  return exec.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "ctrl-exec API (Fleetgate)",
      version: c.env.FLEETGATE_VERSION,
      description:
        "Fleetgate's ctrl-exec-compatible face (see docs/ctrl-exec-compat.md). Credentials go in the JSON body (`token`: a Fleetgate API token), or `Authorization: Bearer` on GET /status/{reqid}.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }) as unknown as Doc;
}

/** `GET /openapi.json`: the face's document. */
export const openapiDocument = (exec: () => Router) => (c: Context<AppEnv>) => c.json(document(exec(), c), 200);

/**
 * `GET /openapi-live.json` (ctrl-exec.md §5). The live
 * document adds the registered host names to every `hosts` items enum (null
 * when none), the scripts of connected hosts to RunRequest.script's enum, the
 * `x-ctrl-exec-scripts` extension, and `info.version` = base `+<unix epoch>`.
 * It names hosts, so it is gated like discovery.
 */
export const openapiLiveDocument = (exec: () => Router) => async (c: Context<AppEnv>) => {
  const caller = await authorizeExec(c, "discovery", bearerToken(c));
  const ctx = await domain(c);
  const doc = document(exec(), c);
  const names = await registryNames(ctx, caller.visibility);
  const resolved = await resolveHostsByName(ctx, names, caller.visibility);
  const rows = await hostsWithScripts(
    ctx,
    [...resolved.found.values()].map((h) => h.id),
  );
  const schemas = doc.components?.schemas ?? {};
  for (const name of ["PingRequest", "RunRequest", "DiscoveryRequest"]) {
    const hosts = schemas[name]?.properties?.hosts;
    if (hosts) hosts.items = { ...(hosts.items as Record<string, unknown>), enum: names.length > 0 ? names : null };
  }
  const byScript = new Map<string, Set<string>>();
  for (const { host, scripts } of rows) {
    if (!host.online) continue;
    for (const s of scripts) byScript.set(s.name, (byScript.get(s.name) ?? new Set()).add(host.name));
  }
  const scripts = [...byScript.keys()].sort();
  if (scripts.length > 0) {
    const script = schemas.RunRequest?.properties?.script;
    if (script) script.enum = scripts;
    doc["x-ctrl-exec-scripts"] = Object.fromEntries(
      scripts.map((s) => [s, [{ hosts: [...(byScript.get(s) ?? [])].sort() }]]),
    );
  }
  doc.info.version = `${doc.info.version.replace(/\+\d+$/, "")}+${Math.floor(Date.now() / 1000)}`;
  return c.json(doc, 200);
};
