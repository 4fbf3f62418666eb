import { z } from "@hono/zod-openapi";
import { EnvInfo, SdkInfo } from "./authenticate";
import { BaseEntity, EntityRef, Tags } from "./envelope";

/** `identityDetail` (every field the 0.26.38 spec requires, plus the optional ones we can fill). */
export const IdentityDetail = z
  .object({
    ...BaseEntity,
    name: z.string(),
    type: EntityRef,
    typeId: z.string(),
    isAdmin: z.boolean(),
    isDefaultAdmin: z.boolean(),
    authenticators: z
      .object({
        updb: z.object({ id: z.string(), username: z.string() }).optional(),
        cert: z.object({ id: z.string(), fingerprint: z.string() }).optional(),
      })
      .openapi("identityAuthenticators"),
    enrollment: z.object({}).passthrough().openapi("identityEnrollments"),
    envInfo: EnvInfo,
    sdkInfo: SdkInfo,
    roleAttributes: z.array(z.string()).nullable(),
    hasApiSession: z.boolean(),
    hasEdgeRouterConnection: z.boolean(),
    edgeRouterConnectionStatus: z.enum(["online", "offline", "unknown"]),
    isMfaEnabled: z.boolean(),
    serviceHostingPrecedences: z.record(z.string(), z.enum(["default", "required", "failed"])),
    serviceHostingCosts: z.record(z.string(), z.number().int()),
    defaultHostingCost: z.number().int(),
    defaultHostingPrecedence: z.enum(["default", "required", "failed"]),
    authPolicyId: z.string(),
    authPolicy: EntityRef,
    externalId: z.string().nullable(),
    disabled: z.boolean(),
    disabledAt: z.string().nullable().openapi({ format: "date-time" }),
    disabledUntil: z.string().nullable().openapi({ format: "date-time" }),
    appData: Tags,
  })
  .openapi("identityDetail");
