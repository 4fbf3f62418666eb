import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { baseUrl } from "../envelope";
import type { enumeratedCapabilities, protocols, root, version } from "./version.routes";

/** The Ziti API generation this face implements (ziti-edge-client.md §1). */
export const ZITI_API_VERSION = "0.26.38";

function versionData(c: Context<AppEnv>) {
  const base = baseUrl(c.env.PUBLIC_URL, c.req.url);
  const v1 = { path: "/edge/client/v1", apiBaseUrls: [`${base}/edge/client/v1`] };
  return {
    version: `v${c.env.FLEETGATE_VERSION}`,
    revision: "fleetgate",
    buildDate: "",
    runtimeVersion: "workerd",
    apiVersions: { edge: { v1 }, "edge-client": { v1 } },
    capabilities: [] as string[],
  };
}

export const versionHandler: RouteHandler<typeof version, AppEnv> = (c) =>
  c.json({ data: versionData(c), meta: {} }, 200);

export const rootHandler: RouteHandler<typeof root, AppEnv> = (c) => c.json({ data: versionData(c), meta: {} }, 200);

export const enumeratedCapabilitiesHandler: RouteHandler<typeof enumeratedCapabilities, AppEnv> = (c) =>
  c.json({ data: ["OIDC_AUTH", "HA_CONTROLLER"], meta: {} }, 200);

export const protocolsHandler: RouteHandler<typeof protocols, AppEnv> = (c) => {
  const url = new URL(baseUrl(c.env.PUBLIC_URL, c.req.url));
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return c.json({ data: { [url.protocol.replace(":", "")]: { address: `${url.hostname}:${port}` } }, meta: {} }, 200);
};
