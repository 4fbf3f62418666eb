import { errorResponses, json, WsJobsQuery, WsTicket } from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Live"];

export const ticket = protectedRoute("/ws", "read", {
  method: "post",
  path: "/ticket",
  tags,
  summary: "A single-use WebSocket ticket, valid 60 s",
  responses: { 200: json(WsTicket), ...errorResponses(401, 403) },
});

/** Documentation only: the handler checks Origin before it consumes the ticket. */
export const jobsStream = createRoute({
  method: "get",
  path: "/jobs",
  tags,
  summary: "Live job_update frames (all jobs, or one job plus its output chunks) — WebSocket upgrade",
  security: [],
  request: { query: WsJobsQuery },
  responses: {
    101: { description: "Switching Protocols" },
    ...errorResponses(400, 401, 403, 404),
    426: { description: "Not a WebSocket upgrade" },
  },
});
