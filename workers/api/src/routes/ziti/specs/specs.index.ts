import { operation as op, routerOf } from "../../../lib/route-set";
import { type Router, registerSecuritySchemes } from "../../../lib/router";
import { ZITI_SECURITY_SCHEMES } from "../ziti-auth";
import { detailSpecBodyHandler, detailSpecHandler, listSpecsHandler } from "./specs.handlers";
import { detailSpec, detailSpecBody, listSpecs } from "./specs.routes";

/**
 * `/specs`, `/specs/{id}` and `/specs/{id}/spec`: the face's own document, generated from the
 * routes of `face()` (the whole Ziti router) with the face's security schemes declared.
 */
export function specsRouter(face: () => Router): Router {
  const router = routerOf(
    op(listSpecs, listSpecsHandler),
    op(detailSpec, detailSpecHandler),
    op(detailSpecBody, detailSpecBodyHandler(face)),
  );
  registerSecuritySchemes(router, ZITI_SECURITY_SCHEMES);
  return router;
}
