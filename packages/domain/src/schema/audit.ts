import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { json, ms } from "./columns";

/**
 * Append-only audit chain. `hash` = SHA-256(prev_hash || canonical(entry)); any
 * edited, deleted or reordered row breaks the chain (see docs/audit.md).
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
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_actor").on(t.actorId), index("audit_action").on(t.action), index("audit_at").on(t.at)],
);

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
