import { PingRequest, PingResponse } from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { execBody, execError, execOk } from "../responses";

export const ping = createRoute({
  method: "post",
  path: "/ping",
  operationId: "pingAgents",
  summary: "Ping agents (round trip over each agent's connection; per-host failures inline)",
  request: { body: execBody(PingRequest) },
  responses: {
    200: execOk(PingResponse, "Ping results"),
    400: execError("Malformed request"),
    403: execError("Denied: code 1 denied, 2 bad credentials, 3 insufficient privilege"),
    404: execError("Not a registered agent"),
  },
});
