import { createRouter } from "../../../lib/router";
import * as h from "./sso.handlers";
import * as r from "./sso.routes";

/** `/api/v1/auth/sso/*` (and the legacy alias `/api/v1/sso/*`): linux-patch-manager.md §3.4. */
export const ssoRouter = createRouter()
  .openapi(r.ssoConfig, h.config)
  .openapi(r.ssoLogin, h.login)
  .openapi(r.ssoCallback, h.callback)
  .openapi(r.ssoHandoff, h.handoff);

/** `/api/v1/auth/azure/login|callback`: the reference's Azure-era paths, same handlers. */
export const azureSsoRouter = createRouter().openapi(r.ssoLogin, h.login).openapi(r.ssoCallback, h.callback);
