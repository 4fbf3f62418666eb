import { ZITI_KINDS, type ZitiKind } from "@fleetgate/contract";
import { type Operation, operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./ziti.handlers";
import * as r from "./ziti.routes";

/** The five operations of one managed kind. */
function kindOperations<K extends ZitiKind>(kind: K): Operation[] {
  const routes = r.kindRoutes(kind);
  const handlers = h.kindHandlers(kind);
  return [
    op(routes.list, handlers.list),
    op(routes.create, handlers.create),
    op(routes.get, handlers.get),
    op(routes.update, handlers.update),
    op(routes.remove, handlers.remove),
  ];
}

/** Native management of the Ziti control-plane model (admin), mounted at /api/v1/ziti. */
export const zitiManagementRouter = routerOf(
  ...ZITI_KINDS.flatMap((kind) => kindOperations(kind)),
  op(r.setRoleAttributes, h.setRoleAttributes),
  op(r.setAuthPolicy, h.setAuthPolicy),
);
