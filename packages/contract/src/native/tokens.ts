import { z } from "@hono/zod-openapi";
import { Role, Timestamp, Uuid } from "./common";

export const ApiToken = z
  .object({
    id: Uuid,
    name: z.string(),
    expires_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("ApiToken");

export const ApiTokenWithSecret = ApiToken.extend({
  secret: z
    .string()
    .openapi({ description: "ztlu_… or ztls_…; shown once", example: "ztls_0xtePqPLfggHUaAi6NkDVuakz4jtQZ2ObLY3" }),
}).openapi("ApiTokenWithSecret");

export const CreateTokenRequest = z
  .object({ name: z.string().min(1).max(200), expires_at: z.iso.datetime({ offset: true }).optional() })
  .openapi("CreateTokenRequest");

export const ServiceAccount = z
  .object({
    id: Uuid,
    name: z.string(),
    description: z.string(),
    role: Role,
    is_active: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("ServiceAccount");

export const CreateServiceAccountRequest = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9._-]+$/, "name may contain letters, digits and . _ - only"),
    description: z.string().max(1000).optional(),
    role: Role.optional(),
  })
  .openapi("CreateServiceAccountRequest");

export const AuditEntry = z
  .object({
    id: Uuid,
    seq: z.number().int(),
    at: Timestamp,
    actor_id: z.string().nullable(),
    actor_name: z.string().nullable(),
    credential_id: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    request_id: z.string().nullable(),
    source_ip: z.string().nullable(),
    outcome: z.enum(["success", "failure", "denied"]),
    detail: z.record(z.string(), z.unknown()),
    /** Position in the sealed ledger; null (as are the hashes) until the sequencer seals the entry, seconds later. */
    ledger_seq: z.number().int().nullable(),
    prev_hash: z.string().nullable(),
    hash: z.string().nullable(),
  })
  .openapi("AuditEntry");

export const AuditQuery = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  target: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AuditPage = z
  .object({ entries: z.array(AuditEntry), next_cursor: z.number().int().nullable() })
  .openapi("AuditPage");

export const AuditIntegrity = z
  .object({
    intact: z.boolean(),
    rows_checked: z.number().int(),
    errors: z.array(z.object({ row_id: z.string(), expected_hash: z.string(), actual_hash: z.string() })),
  })
  .openapi("AuditIntegrity");
