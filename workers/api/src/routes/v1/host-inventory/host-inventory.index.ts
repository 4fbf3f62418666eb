import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./host-inventory.handlers";
import * as r from "./host-inventory.routes";

/** Mounted at /hosts: a host's reported packages and pending updates, and the refresh request. */
export const hostInventoryRouter = routerOf(
  op(r.listPackages, h.listPackages),
  op(r.listUpdates, h.listUpdates),
  op(r.refresh, h.refresh),
);
