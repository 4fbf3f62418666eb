import { AnyIdParam, envelopeOf, SpecBody, SpecDetail } from "@fleetgate/contract/ziti";
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";

const tags = ["Informational"];

export const listSpecs = createRoute({
  method: "get",
  path: "/specs",
  operationId: "listSpecs",
  tags,
  summary: "Returns a list of API specs",
  security: [],
  responses: { 200: jsonResponse(envelopeOf(z.array(SpecDetail), "listSpecsEnvelope"), "A list of specifications") },
});

export const detailSpec = createRoute({
  method: "get",
  path: "/specs/{id}",
  operationId: "detailSpec",
  tags,
  summary: "Return a single spec resource",
  security: [],
  request: { params: AnyIdParam },
  responses: {
    200: jsonResponse(envelopeOf(SpecDetail, "detailSpecEnvelope"), "A single specification"),
    ...errorResponses(404),
  },
});

export const detailSpecBody = createRoute({
  method: "get",
  path: "/specs/{id}/spec",
  operationId: "detailSpecBody",
  tags,
  summary: "Returns the spec's document (OpenAPI 3.1, generated from this face's routes)",
  security: [],
  request: { params: AnyIdParam },
  responses: {
    200: jsonResponse(SpecBody, "The OpenAPI document"),
    ...errorResponses(404),
  },
});
