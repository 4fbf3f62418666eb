import { z } from "@hono/zod-openapi";
import { BaseEntity, EntityRef, envelopeOf } from "./envelope";

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
