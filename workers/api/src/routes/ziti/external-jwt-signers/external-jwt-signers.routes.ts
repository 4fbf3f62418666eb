import { createRoute, z } from "@hono/zod-openapi";
import { BaseEntity, errorResponses, jsonResponse, ListMeta } from "../envelope";
import { ListQuery } from "../pagination";

/** `clientExternalJwtSignerDetail`: what an SDK needs to send its user to the signer. */
export const ClientExternalJwtSignerDetail = z
  .object({
    ...BaseEntity,
    name: z.string(),
    externalAuthUrl: z.string(),
    audience: z.string().nullable(),
    clientId: z.string().nullable(),
    scopes: z.array(z.string()),
  })
  .openapi("clientExternalJwtSignerDetail");

export const listExternalJwtSigners = createRoute({
  method: "get",
  path: "/external-jwt-signers",
  operationId: "listExternalJwtSigners",
  tags: ["External JWT Signer"],
  summary: "List Client Authentication External JWT",
  security: [],
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z
        .object({ data: z.array(ClientExternalJwtSignerDetail), meta: ListMeta })
        .openapi("listClientExternalJwtSignersEnvelope"),
      "A list of External JWT Signers",
    ),
    ...errorResponses(400, 401, 429),
  },
});
