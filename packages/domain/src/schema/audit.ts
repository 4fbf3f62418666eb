import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { json, ms } from "./columns";

/**
 * Append-only audit ledger. A request inserts its entry unsealed (`ledger_seq`,
 * `prev_hash`, `hash` null) in the same batch as its change; the AuditSequencer
 * Durable Object seals entries in `seq` order: `ledger_seq` = 1, 2, 3…, `hash` =
 * HMAC-SHA256(chain key, prev_hash ‖ position ‖ entry). Any edited, deleted,
 * inserted or reordered sealed row breaks the chain (see docs/auth.md).
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    at: ms("at").notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name"),
    credentialId: text("credential_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    requestId: text("request_id"),
    sourceIp: text("source_ip"),
    outcome: text("outcome", { enum: ["success", "failure", "denied"] }).notNull(),
    detail: json<Record<string, unknown>>("detail").notNull().default({}),
    /** Position in the sealed ledger; null until the sequencer seals the entry. */
    ledgerSeq: integer("ledger_seq"),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_actor").on(t.actorId),
    index("audit_action").on(t.action),
    index("audit_at").on(t.at),
    uniqueIndex("audit_ledger_seq").on(t.ledgerSeq),
    index("audit_unsealed").on(t.seq).where(sql`ledger_seq IS NULL`),
  ],
);

/**
 * Signed checkpoints of the sealed ledger (RFC 9162 §4.10 signed tree heads in
 * spirit): the ledger's size and head hash at a time, signed with the Ed25519 key
 * derived from MASTER_KEY. Anyone holding the public key verifies them offline.
 */
export const auditCheckpoints = sqliteTable("audit_checkpoints", {
  size: integer("size").primaryKey(),
  headHash: text("head_hash").notNull(),
  at: ms("at").notNull(),
  keyId: text("key_id").notNull(),
  signature: text("signature").notNull(),
});

/** Admin settings. Values with secrets keep them in `secretEnc` (AES-256-GCM), never in `value`. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: json<Record<string, unknown>>("value").notNull(),
  secretEnc: text("secret_enc"),
  updatedBy: text("updated_by"),
  updatedAt: ms("updated_at").notNull(),
});

/** Replay memory for single-use values (JWT `jti`s, agent proofs, WS tickets, idempotency keys). */
export const nonces = sqliteTable(
  "nonces",
  {
    key: text("key").primaryKey(),
    expiresAt: ms("expires_at").notNull(),
    value: text("value"),
  },
  (t) => [index("nonces_expires").on(t.expiresAt)],
);
