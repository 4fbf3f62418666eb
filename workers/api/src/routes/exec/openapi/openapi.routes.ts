import { createRoute } from "@hono/zod-openapi";
import { execError } from "../responses";

export const openapiDoc = createRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "getOpenapi",
  summary: "This document (generated from Fleetgate's schemas)",
  responses: { 200: { description: "OpenAPI 3.1 document" } },
});

export const openapiLive = createRoute({
  method: "get",
  path: "/openapi-live.json",
  operationId: "getOpenapiLive",
  summary: "This document with the live host and script enums and x-ctrl-exec-scripts",
  responses: { 200: { description: "OpenAPI 3.1 document" }, 403: execError("Denied") },
});
