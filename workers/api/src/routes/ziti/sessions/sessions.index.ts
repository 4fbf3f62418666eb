import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./sessions.handlers";
import * as r from "./sessions.routes";

/** Dial/Bind sessions: GET/POST /sessions, GET/DELETE /sessions/{id}. */
export const sessionsRouter = routerOf(
  op(r.listSessions, h.list),
  op(r.createSession, h.create),
  op(r.detailSession, h.detail),
  op(r.deleteSession, h.remove),
);
