import { ZentralTokenExchangeRequest, ZentralTokenExchangeResponse } from "@fleetgate/contract";
import { createRoute, z } from "@hono/zod-openapi";
import { drfError, drfOk } from "../responses";

export const exchangeToken = createRoute({
  method: "post",
  path: "/accounts/token_issuers/oidc/{id}/auth/",
  operationId: "exchangeOidcToken",
  summary: "Exchange a workload's OIDC JWT for a short-lived API token (no authentication)",
  security: [],
  request: {
    params: z.object({
      id: z.uuid().openapi({ param: { name: "id", in: "path" }, description: "The token issuer's id" }),
    }),
    body: { required: true, content: { "application/json": { schema: ZentralTokenExchangeRequest } } },
  },
  responses: {
    200: drfOk(ZentralTokenExchangeResponse, "The issued token (its secret is shown once)"),
    400: drfError("The messages of each refused field, or non_field_errors"),
    404: drfError("No such token issuer"),
    415: drfError("Not a JSON body"),
    429: drfError("Too many exchanges for this issuer"),
  },
});
