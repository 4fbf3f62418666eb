import { operation as op, routerOf } from "../../../lib/route-set";
import { deleteCurrentApiSessionHandler, getCurrentApiSessionHandler } from "./current-api-session.handlers";
import { deleteCurrentApiSession, getCurrentApiSession } from "./current-api-session.routes";

export { sessionView } from "./current-api-session.handlers";

/** The caller's own API session: read it, or log out. */
export const currentApiSessionRouter = routerOf(
  op(getCurrentApiSession, getCurrentApiSessionHandler),
  op(deleteCurrentApiSession, deleteCurrentApiSessionHandler),
);
