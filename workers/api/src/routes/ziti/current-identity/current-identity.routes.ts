import { envelopeOf, IdentityDetail } from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION_OR_TOKEN, zitiAuth } from "../ziti-auth";

export const getCurrentIdentity = createRoute({
  method: "get",
  path: "/current-identity",
  operationId: "getCurrentIdentity",
  tags: ["Current Identity"],
  summary: "Return the current identity",
  security: ZT_SESSION_OR_TOKEN,
  middleware: zitiAuth({ apiToken: true }),
  responses: {
    200: jsonResponse(envelopeOf(IdentityDetail, "currentIdentityDetailEnvelope"), "The caller's identity"),
    ...errorResponses(401),
  },
});
