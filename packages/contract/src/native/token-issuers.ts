import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/** Bounds of a minted token's validity, seconds (zentral.md §6). */
export const MIN_VALIDITY = 30;
export const MAX_VALIDITY = 604_800;

export const TokenIssuer = z
  .object({
    id: Uuid,
    name: z.string(),
    description: z.string(),
    issuer_uri: z.string().openapi({ example: "https://token.actions.githubusercontent.com" }),
    audience: z.string(),
    condition: z.string().openapi({ example: 'claims.repository == "acme/infra" && claims.ref == "refs/heads/main"' }),
    max_validity: z.number().int(),
    service_account_id: Uuid,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("TokenIssuer");

const fields = {
  name: z.string().trim().min(1).max(256),
  description: z.string().max(2000),
  issuer_uri: z
    .string()
    .max(2048)
    .openapi({ description: "https; plain http only for loopback (127.0.0.0/8, ::1, localhost)" }),
  audience: z.string().min(1).max(1024),
  condition: z.string().min(1).max(4096).openapi({ description: "CEL over `claims`; must evaluate to a boolean" }),
  max_validity: z.number().int().min(MIN_VALIDITY).max(MAX_VALIDITY),
  service_account_id: Uuid,
};

export const CreateTokenIssuerRequest = z
  .object({
    ...fields,
    description: fields.description.default(""),
    max_validity: fields.max_validity.default(3600),
  })
  .strict()
  .openapi("CreateTokenIssuerRequest");
/** PUT replaces every field (defaults as on create). */
export const ReplaceTokenIssuerRequest = CreateTokenIssuerRequest;
export const PatchTokenIssuerRequest = z
  .object(fields)
  .partial()
  .strict()
  .refine((o) => Object.keys(o).length > 0, { message: "At least one field is required" })
  .openapi("PatchTokenIssuerRequest");

export const ExplainRequest = z.object({ jwt: z.string().min(1).max(16_384) }).openapi("ExplainRequest");

export const ExplainCheck = z
  .object({
    check: z.string().openapi({ example: "signature" }),
    ok: z.boolean(),
    detail: z.string(),
    value: z.unknown().optional(),
  })
  .openapi("ExplainCheck");

export const ExplainReport = z
  .object({
    would_mint: z.boolean(),
    checks: z.array(ExplainCheck),
    header: z.record(z.string(), z.unknown()).nullable(),
    claims: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "The token's payload as sent (verified only if every check passed)" }),
  })
  .openapi("ExplainReport");
