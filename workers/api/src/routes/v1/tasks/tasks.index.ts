import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./tasks.handlers";
import * as r from "./tasks.routes";

/** Mounted at /tasks: the caller's asynchronous tasks. */
export const tasksRouter = routerOf(op(r.list, h.list), op(r.get, h.get), op(r.remove, h.remove));

/** Mounted at /exports: starts an export or report task. */
export const exportsRouter = routerOf(op(r.createExport, h.createExport));
