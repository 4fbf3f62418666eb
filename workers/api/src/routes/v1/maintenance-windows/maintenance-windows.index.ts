import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./maintenance-windows.handlers";
import * as r from "./maintenance-windows.routes";

/** Mounted at /hosts: a host's windows. */
export const hostWindowsRouter = routerOf(
  op(r.listHostWindows, h.listHostWindows),
  op(r.createWindow, h.createWindow),
  op(r.updateWindow, h.updateWindow),
  op(r.deleteWindow, h.deleteWindow),
);

/** Mounted at /maintenance-windows: the calendar of all visible windows. */
export const windowsRouter = routerOf(op(r.listAllWindows, h.listAllWindows));
