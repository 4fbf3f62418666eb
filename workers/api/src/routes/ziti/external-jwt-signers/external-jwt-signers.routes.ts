import { ListClientExternalJwtSignersEnvelope, ListQuery } from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";

export const listExternalJwtSigners = createRoute({
  method: "get",
  path: "/external-jwt-signers",
  operationId: "listExternalJwtSigners",
  tags: ["External JWT Signer"],
  summary: "List Client Authentication External JWT",
  security: [],
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(ListClientExternalJwtSignersEnvelope, "A list of External JWT Signers"),
    ...errorResponses(400, 401, 429),
  },
});
