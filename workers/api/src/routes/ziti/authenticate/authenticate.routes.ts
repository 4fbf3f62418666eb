import {
  Authenticate,
  AuthenticateQuery,
  CurrentApiSessionDetailEnvelope,
  Empty,
  MfaCode,
} from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

export const authenticate = createRoute({
  method: "post",
  path: "/authenticate",
  operationId: "authenticate",
  tags: ["Authentication"],
  summary: "Authenticate via a method supplied via a query string parameter",
  security: [],
  request: {
    query: AuthenticateQuery,
    body: { required: false, content: { "application/json": { schema: Authenticate } } },
  },
  responses: {
    200: jsonResponse(CurrentApiSessionDetailEnvelope, "The API session created by this authentication"),
    ...errorResponses(400, 401, 429),
  },
});

export const authenticateMfa = createRoute({
  method: "post",
  path: "/authenticate/mfa",
  operationId: "authenticateMfa",
  tags: ["Authentication", "MFA"],
  summary: "Complete MFA authentication with a TOTP or recovery code",
  security: ZT_SESSION,
  middleware: zitiAuth({ partial: true }),
  request: { body: { required: true, content: { "application/json": { schema: MfaCode } } } },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(401, 409, 429) },
});
