import { createRouter, type Router } from "../../../lib/router";
import { openapiDocument } from "./openapi.handlers";

/**
 * `GET /openapi.json` of the Zentral face. Like Zentral's own schema view it is not an operation
 * of the document it serves, so it is a plain route (no `x.routes.ts` definition).
 */
export function openapiRouter(face: () => Router): Router {
  const router = createRouter();
  router.get("/openapi.json", openapiDocument(face));
  return router;
}
