import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common";

/** The checkpoint key as a JWK (RFC 8037 OKP, Ed25519; `kid` = RFC 7638 thumbprint). */
export const CheckpointKey = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string(),
    kid: z.string(),
    alg: z.literal("EdDSA"),
    use: z.literal("sig"),
  })
  .openapi("AuditCheckpointKey");

export const CheckpointJwks = z.object({ keys: z.array(CheckpointKey) }).openapi("AuditCheckpointJwks");

export const AuditCheckpoint = z
  .object({
    size: z.number().int().openapi({ description: "Sealed entries covered (ledger_seq of the head)" }),
    head_hash: z.string().openapi({ description: "hash of the entry at ledger_seq = size (hex)" }),
    timestamp: Timestamp,
    key_id: z.string(),
    signature: z.string().openapi({ description: "Ed25519 signature of `body`, base64url" }),
    body: z.string().openapi({
      description: "The signed text: `fleetgate/audit-ledger/v1`, size, head_hash, time in ms, one a line",
    }),
  })
  .openapi("AuditCheckpoint");

export const AuditCheckpointQuery = z.object({
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(20),
});

export const AuditCheckpointPage = z
  .object({ checkpoints: z.array(AuditCheckpoint), next_cursor: z.number().int().nullable(), jwks: CheckpointJwks })
  .openapi("AuditCheckpointPage");
