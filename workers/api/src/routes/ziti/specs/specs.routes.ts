import { createRoute, z } from "@hono/zod-openapi";
import { BaseEntity, envelopeOf, errorResponses, jsonResponse } from "../envelope";

export const SpecDetail = z.object({ ...BaseEntity, name: z.string() }).openapi("specDetail");

const tags = ["Informational"];
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

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
  request: { params: IdParam },
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
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.record(z.string(), z.unknown()).openapi("specBodyDetail"), "The OpenAPI document"),
    ...errorResponses(404),
  },
});
