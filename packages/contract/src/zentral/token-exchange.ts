import { z } from "@hono/zod-openapi";
import { charField, type FieldResult, integerField } from "./drf-fields";

/** Bounds of a token's validity, in seconds (Zentral's `OIDCAPITokenIssuerAuthSerializer`). */
export const TOKEN_VALIDITY_MIN = 30;
export const TOKEN_VALIDITY_MAX = 604_800;

/** A DRF field as a zod schema: its messages are the issues; absent → "This field is required." (unless optional). */
const drfField = <T>(field: (v: unknown) => FieldResult<T>) =>
  z.unknown().transform((v, ctx): T => {
    const r = field(v);
    if ("value" in r) return r.value;
    ctx.addIssue({ code: "custom", message: "error" in r ? r.error : "This field is required." });
    return z.NEVER;
  });

/**
 * The body of `POST /api/accounts/token_issuers/oidc/<uuid>/auth/` (zentral.md §4):
 * every field is validated and the errors are reported together, per field.
 */
export const ZentralTokenExchangeRequest = z
  .object({
    jwt: drfField(charField).openapi({ type: "string", description: "The workload's OIDC JWT" }),
    name: drfField(charField).optional().openapi({ type: "string", description: "Name of the issued token" }),
    validity: drfField((v) => integerField(v, TOKEN_VALIDITY_MIN, TOKEN_VALIDITY_MAX))
      .optional()
      .openapi({
        type: "integer",
        minimum: TOKEN_VALIDITY_MIN,
        maximum: TOKEN_VALIDITY_MAX,
        description: "Lifetime of the issued token, seconds (at most the issuer's maximum)",
      }),
  })
  .openapi("TokenExchangeRequest");

/** The messages of a refused DRF field, in order. */
export const drfMessages = (error: z.ZodError): string[] => error.issues.map((i) => i.message);
