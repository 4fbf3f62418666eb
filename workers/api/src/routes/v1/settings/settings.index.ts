import { createRouter } from "../../../lib/router";
import * as h from "./settings.handlers";
import * as r from "./settings.routes";

/** `/api/v1/settings` (admin): linux-patch-manager.md §4 "Settings". */
export const settingsRouter = createRouter()
  .openapi(r.getSettings, h.getSettings)
  .openapi(r.putSettings, h.putSettings)
  .openapi(r.getIpWhitelist, h.getIpWhitelist)
  .openapi(r.putIpWhitelist, h.putIpWhitelist)
  .openapi(r.ssoDiscover, h.ssoDiscover)
  .openapi(r.ssoTest, h.ssoTest)
  .openapi(r.azureSsoTest, h.ssoTest)
  .openapi(r.smtpTest, h.smtpTest);
