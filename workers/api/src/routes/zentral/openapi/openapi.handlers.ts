import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import type { Router } from "../../../lib/router";

/**
 * `GET /api/openapi.json`: the document of the face `face()` returns (read per request: the whole
 * Zentral face, once mounted), generated from the schemas its handlers validate with.
 */
export const openapiDocument = (face: () => Router) => (c: Context<AppEnv>) =>
  c.json(
    face().getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Zentral API (Fleetgate)",
        version: c.env.FLEETGATE_VERSION,
        description:
          "Fleetgate's Zentral-compatible face (see docs/zentral-compat.md): task results and the OIDC token exchange, with Django REST framework's shapes.",
      },
      servers: [{ url: `${new URL(c.req.url).origin}/api` }],
    }),
    200,
  );
