import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { headerKey, type Router, registerSecuritySchemes } from "../../../lib/router";
import { baseEntity, baseUrl, link } from "../envelope";
import { Z } from "../errors";
import { ZITI_API_VERSION } from "../version/version.handlers";
import { detailSpec, detailSpecBody, listSpecs } from "./specs.routes";

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

/**
 * Adds `/specs`, `/specs/{id}` and `/specs/{id}/spec` to the face router. Mounted
 * after every other route so the generated document describes the whole face.
 */
export function mountSpecs(ziti: Router): void {
  registerSecuritySchemes(ziti, {
    ztSession: headerKey("zt-session", "An API session token from POST /authenticate"),
    apiToken: headerKey("Authorization", "`Token ztlu_…` / `Token ztls_…` API token (where a route accepts one)"),
  });

  const document = (c: Context<AppEnv>) =>
    ziti.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: SPEC_NAME,
        version: ZITI_API_VERSION,
        description: `OpenZiti Edge Client API ${ZITI_API_VERSION} as served by Fleetgate ${c.env.FLEETGATE_VERSION}.`,
      },
      servers: [{ url: `${baseUrl(c.env.PUBLIC_URL, c.req.url)}/edge/client/v1` }],
    });

  ziti
    .openapi(listSpecs, (c) => c.json({ data: [specDetail()], meta: {} }, 200))
    .openapi(detailSpec, (c) => {
      if (c.req.valid("param").id !== SPEC_ID) throw Z.notFound();
      return c.json({ data: specDetail(), meta: {} }, 200);
    })
    .openapi(detailSpecBody, (c) => {
      if (c.req.valid("param").id !== SPEC_ID) throw Z.notFound();
      // Like the controller, the document itself is the body (not enveloped).
      return c.json(document(c) as unknown as Record<string, unknown>, 200);
    });
}
