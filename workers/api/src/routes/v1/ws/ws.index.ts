import { documentedOperation, operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./ws.handlers";
import * as r from "./ws.routes";

/** Mounted at /ws: the ticket, then the live jobs WebSocket. */
export const wsRouter = routerOf(op(r.ticket, h.ticket), documentedOperation(r.jobsStream, h.jobsStream));
