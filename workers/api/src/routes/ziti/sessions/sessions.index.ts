import { createRouter } from "../../../lib/router";
import * as h from "./sessions.handlers";
import * as r from "./sessions.routes";

/** Dial/Bind sessions: GET/POST /sessions, GET/DELETE /sessions/{id}. */
export const sessionsRouter = createRouter()
  .openapi(r.listSessions, h.list)
  .openapi(r.createSession, h.create)
  .openapi(r.detailSession, h.detail)
  .openapi(r.deleteSession, h.remove);
