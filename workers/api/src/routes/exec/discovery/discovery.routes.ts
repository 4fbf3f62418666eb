import { DiscoveryRequest, DiscoveryResponse } from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { execBody, execError, execOk } from "../responses";

const responses = {
  200: execOk(DiscoveryResponse, "Capabilities keyed by registry name"),
  400: execError("Malformed request"),
  403: execError("Denied"),
  404: execError("Not a registered agent"),
};
const summary = "Registered agents and their allowlisted scripts";

export const discoveryGet = createRoute({
  method: "get",
  path: "/discovery",
  operationId: "discoverAgentsGet",
  summary,
  responses,
});

export const discoveryPost = createRoute({
  method: "post",
  path: "/discovery",
  operationId: "discoverAgentsPost",
  summary,
  request: { body: execBody(DiscoveryRequest, false) },
  responses,
});
