import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { headerKey } from "../../../lib/router";

/** Every protected native route accepts either scheme. */
export const NATIVE_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { token: [] }];

/** The native face's security schemes, as its document declares them. */
export const NATIVE_SECURITY_SCHEMES = {
  bearer: {
    type: "http" as const,
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access JWT from POST /api/v1/auth/login",
  },
  token: headerKey("Authorization", "`Token ztlu_…` or `Token ztls_…` API token"),
};

/** `GET /api/v1/openapi.json`: the document's header; the paths come from the routes' own definitions. */
export const nativeDocument = (c: Context<AppEnv>) => ({
  openapi: "3.1.0",
  info: {
    title: "Fleetgate native API",
    version: c.env.FLEETGATE_VERSION,
    description: "Fleetgate's management API, compatible with Linux Patch Manager's /api/v1.",
  },
  servers: [{ url: `${new URL(c.req.url).origin}/api/v1` }],
  security: NATIVE_SECURITY,
});
