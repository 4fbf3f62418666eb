import { createRoute, z } from "@hono/zod-openapi";
import { BaseEntity, Empty, EntityRef, envelopeOf, errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

/** `authQueryDetail`: what a partially authenticated session still has to answer. */
export const AuthQueryDetail = z
  .object({
    typeId: z.enum(["MFA", "TOTP", "EXT-JWT"]),
    provider: z.enum(["ziti", "url"]),
    httpMethod: z.string().optional(),
    httpUrl: z.string().optional(),
    minLength: z.number().int().optional(),
    maxLength: z.number().int().optional(),
    format: z.enum(["numeric", "alpha", "alphaNumeric"]).optional(),
  })
  .openapi("authQueryDetail");

export const CurrentApiSessionDetail = z
  .object({
    ...BaseEntity,
    token: z.string(),
    identity: EntityRef,
    identityId: z.string(),
    configTypes: z.array(z.string()),
    ipAddress: z.string(),
    authQueries: z.array(AuthQueryDetail),
    isMfaRequired: z.boolean(),
    isMfaComplete: z.boolean(),
    authenticatorId: z.string(),
    isCertExtendable: z.boolean(),
    lastActivityAt: z.string().openapi({ format: "date-time" }),
    cachedLastActivityAt: z.string().openapi({ format: "date-time" }),
    expiresAt: z.string().openapi({ format: "date-time" }),
    expirationSeconds: z.number().int(),
  })
  .openapi("currentApiSessionDetail");

export const CurrentApiSessionDetailEnvelope = envelopeOf(CurrentApiSessionDetail, "currentApiSessionDetailEnvelope");

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
