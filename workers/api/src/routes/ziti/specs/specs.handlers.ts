import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import type { Router } from "../../../lib/router";
import { baseEntity, baseUrl, link } from "../envelope";
import { Z } from "../errors";
import { ZITI_API_VERSION } from "../version/version.handlers";
import type { detailSpec, detailSpecBody, listSpecs } from "./specs.routes";

/** The one spec this face serves: its own generated document, never the upstream Swagger file. */
export const SPEC_ID = "edge-client";
const SPEC_NAME = "Ziti Edge Client API (Fleetgate)";
/** Module load time stands in for the build date (the controller uses its build info). */
const BUILT_AT = Date.now();

function specDetail() {
  return {
    ...baseEntity(SPEC_ID, BUILT_AT, BUILT_AT, {
      self: link(`./specs/${SPEC_ID}`),
      spec: link(`./specs/${SPEC_ID}/spec`),
    }),
    name: SPEC_NAME,
  };
}

/** The face's OpenAPI 3.1 document, generated from every route registered on the face router. */
function document(face: Router, c: Context<AppEnv>) {
  return face.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: SPEC_NAME,
      version: ZITI_API_VERSION,
      description: `OpenZiti Edge Client API ${ZITI_API_VERSION} as served by Fleetgate ${c.env.FLEETGATE_VERSION}.`,
    },
    servers: [{ url: `${baseUrl(c.env.PUBLIC_URL, c.req.url)}/edge/client/v1` }],
  });
}

export const listSpecsHandler: RouteHandler<typeof listSpecs, AppEnv> = (c) =>
  c.json({ data: [specDetail()], meta: {} }, 200);

export const detailSpecHandler: RouteHandler<typeof detailSpec, AppEnv> = (c) => {
  if (c.req.valid("param").id !== SPEC_ID) throw Z.notFound();
  return c.json({ data: specDetail(), meta: {} }, 200);
};

/** `GET /specs/{id}/spec` of the face `face()` returns (read per request: the whole face, once mounted). */
export const detailSpecBodyHandler =
  (face: () => Router): RouteHandler<typeof detailSpecBody, AppEnv> =>
  (c) => {
    if (c.req.valid("param").id !== SPEC_ID) throw Z.notFound();
    // Like the controller, the document itself is the body (not enveloped).
    return c.json(document(face(), c) as unknown as Record<string, unknown>, 200);
  };
