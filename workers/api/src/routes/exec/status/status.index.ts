import { serveDocumented } from "../../../lib/documented-route";
import { createRouter } from "../../../lib/router";
import { getRunStatus } from "./status.handlers";
import { REQID_PATH, status } from "./status.routes";

export const statusRouter = serveDocumented(createRouter(), status, getRunStatus, REQID_PATH);
