import { documentedOperation, routerOf } from "../../../lib/route-set";
import { connectHandler } from "./connect.handlers";
import { connect } from "./connect.routes";

/** `GET /agent/v1/connect`: a WebSocket upgrade, so a plain handler documented by its route. */
export const connectRouter = routerOf(documentedOperation(connect, connectHandler));
