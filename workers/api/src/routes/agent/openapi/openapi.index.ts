import { documentEndpoint, routerOf } from "../../../lib/route-set";
import type { Router } from "../../../lib/router";
import { openapiDocument } from "./openapi.handlers";

/**
 * `GET /agent/v1/openapi.json`: the agent endpoints' own document (public, like every face's
 * document). Not an operation of the document it serves, like the native and Zentral documents.
 */
export function openapiRouter(face: () => Router): Router {
  return routerOf(documentEndpoint("/openapi.json", openapiDocument(face)));
}
