import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./token-issuers.handlers";
import * as r from "./token-issuers.routes";

/** Mounted at /token-issuers: OIDC issuers trusted for the CI token exchange. */
export const tokenIssuersRouter = routerOf(
  op(r.list, h.list),
  op(r.create, h.create),
  op(r.get, h.get),
  op(r.replace, h.replace),
  op(r.patch, h.patch),
  op(r.remove, h.remove),
  op(r.explain, h.explain),
);
