import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./ctrl-exec.handlers";
import * as r from "./ctrl-exec.routes";

/** Mounted at /settings: anonymous access to the ctrl-exec face. */
export const ctrlExecSettingsRouter = routerOf(op(r.getCtrlExec, h.getCtrlExec), op(r.putCtrlExec, h.putCtrlExec));
