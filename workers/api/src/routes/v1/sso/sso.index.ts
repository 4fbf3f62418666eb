import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./sso.handlers";
import * as r from "./sso.routes";

/** `/api/v1/auth/sso/*` (and the legacy alias `/api/v1/sso/*`): linux-patch-manager.md §3.4. */
export const ssoRouter = routerOf(
  op(r.ssoConfig, h.config),
  op(r.ssoLogin, h.login),
  op(r.ssoCallback, h.callback),
  op(r.ssoHandoff, h.handoff, h.handoffHook),
);

/** `/api/v1/auth/azure/login|callback`: the reference's Azure-era paths, same handlers. */
export const azureSsoRouter = routerOf(op(r.ssoLogin, h.login), op(r.ssoCallback, h.callback));
