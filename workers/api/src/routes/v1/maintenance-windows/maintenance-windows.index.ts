import { createRouter } from "../../../lib/router";
import * as h from "./maintenance-windows.handlers";
import * as r from "./maintenance-windows.routes";

/** Mounted at /hosts: a host's windows. */
export const hostWindowsRouter = createRouter()
  .openapi(r.listHostWindows, h.listHostWindows)
  .openapi(r.createWindow, h.createWindow)
  .openapi(r.updateWindow, h.updateWindow)
  .openapi(r.deleteWindow, h.deleteWindow);

/** Mounted at /maintenance-windows: the calendar of all visible windows. */
export const windowsRouter = createRouter().openapi(r.listAllWindows, h.listAllWindows);
