import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./settings.handlers";
import * as r from "./settings.routes";

/** `/api/v1/settings` (admin): linux-patch-manager.md §4 "Settings". */
export const settingsRouter = routerOf(
  op(r.getSettings, h.getSettings),
  op(r.putSettings, h.putSettings),
  op(r.getIpWhitelist, h.getIpWhitelist),
  op(r.putIpWhitelist, h.putIpWhitelist),
  op(r.ssoDiscover, h.ssoDiscover),
  op(r.ssoTest, h.ssoTest),
  op(r.azureSsoTest, h.ssoTest),
  op(r.smtpTest, h.smtpTest),
);
