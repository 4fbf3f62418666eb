import { documentedOperation, routerOf } from "../../../lib/route-set";
import type { Router } from "../../../lib/router";
import { openapiDocument, openapiLiveDocument } from "./openapi.handlers";
import { openapiDoc, openapiLive } from "./openapi.routes";

/** `GET /openapi.json` and `GET /openapi-live.json`, generated from the face's routes (`exec` is the whole face). */
export function openapiRouter(exec: () => Router): Router {
  return routerOf(
    documentedOperation(openapiDoc, openapiDocument(exec)),
    documentedOperation(openapiLive, openapiLiveDocument(exec)),
  );
}
