import { CurrentApiSessionDetailEnvelope, Empty } from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const tags = ["Current API Session"];

export const getCurrentApiSession = createRoute({
  method: "get",
  path: "/current-api-session",
  operationId: "getCurrentAPISession",
  tags,
  summary: "Return the current API session",
  security: ZT_SESSION,
  middleware: zitiAuth({ partial: true }),
  responses: {
    200: jsonResponse(CurrentApiSessionDetailEnvelope, "The API session used to issue the request"),
    ...errorResponses(401),
  },
});

export const deleteCurrentApiSession = createRoute({
  method: "delete",
  path: "/current-api-session",
  operationId: "deleteCurrentApiSession",
  tags,
  summary: "Logout",
  security: ZT_SESSION,
  middleware: zitiAuth({ partial: true }),
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(401) },
});
