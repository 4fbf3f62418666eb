import { serveDocumented } from "../../../lib/documented-route";
import { createRouter, type Router } from "../../../lib/router";
import { openapiDocument, openapiLiveDocument } from "./openapi.handlers";
import { openapiDoc, openapiLive } from "./openapi.routes";

/** `GET /openapi.json` and `GET /openapi-live.json`, generated from the face's routes (`exec` is the whole face). */
export function openapiRouter(exec: () => Router) {
  return serveDocumented(
    serveDocumented(createRouter(), openapiDoc, openapiDocument(exec)),
    openapiLive,
    openapiLiveDocument(exec),
  );
}
