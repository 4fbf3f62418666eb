import { createRouter } from "../../../lib/router";
import * as h from "./host-inventory.handlers";
import * as r from "./host-inventory.routes";

/** Mounted at /hosts: a host's reported packages and pending updates, and the refresh request. */
export const hostInventoryRouter = createRouter()
  .openapi(r.listPackages, h.listPackages)
  .openapi(r.listUpdates, h.listUpdates)
  .openapi(r.refresh, h.refresh);
