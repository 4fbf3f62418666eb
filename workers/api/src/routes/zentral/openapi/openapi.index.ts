import { documentEndpoint, routerOf } from "../../../lib/route-set";
import type { Router } from "../../../lib/router";
import { openapiDocument } from "./openapi.handlers";

/**
 * `GET /openapi.json` of the Zentral face. Like Zentral's own schema view it is not an operation
 * of the document it serves, so it has no `x.routes.ts` definition.
 */
export function openapiRouter(face: () => Router): Router {
  return routerOf(documentEndpoint("/openapi.json", openapiDocument(face)));
}
