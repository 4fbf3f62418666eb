import { z } from "@hono/zod-openapi";
import { BaseEntity } from "./envelope";

export const DetailMfa = z
  .object({
    ...BaseEntity,
    isVerified: z.boolean(),
    provisioningUrl: z.string().optional().openapi({ description: "Not provided once MFA is verified" }),
    recoveryCodes: z.array(z.string()).optional().openapi({ description: "Not provided once MFA is verified" }),
  })
  .openapi("detailMfa");

export const DetailMfaRecoveryCodes = z
  .object({ ...BaseEntity, recoveryCodes: z.array(z.string()) })
  .openapi("detailMfaRecoveryCodes");

/** The `mfa-validation-code` header of MFA removal and recovery-code reads. */
export const MfaValidationCodeHeader = z.object({
  "mfa-validation-code": z
    .string()
    .optional()
    .openapi({ param: { name: "mfa-validation-code", in: "header" } }),
});
