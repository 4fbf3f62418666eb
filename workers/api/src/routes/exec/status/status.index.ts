import { documentedOperation, routerOf } from "../../../lib/route-set";
import { getRunStatus } from "./status.handlers";
import { REQID_PATH, status } from "./status.routes";

export const statusRouter = routerOf(documentedOperation(status, getRunStatus, REQID_PATH));
