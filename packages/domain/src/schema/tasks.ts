import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, id, json, ms, updatedAt } from "./columns";
import { identities } from "./identity";

/** Async work on the TASKS queue; files it produces live in R2 under `fileKey`. */
export const tasks = sqliteTable(
  "tasks",
  {
    id: id(),
    name: text("name").notNull(),
    status: text("status", { enum: ["PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"] }).notNull(),
    params: json<Record<string, unknown>>("params").notNull().default({}),
    result: json<Record<string, unknown>>("result"),
    fileKey: text("file_key"),
    headers: json<Record<string, string>>("headers"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    /** While STARTED: the claim expires here; a STARTED task past its lease may be re-claimed or failed by the sweeper. */
    leaseUntil: ms("lease_until"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    startedAt: ms("started_at"),
    finishedAt: ms("finished_at"),
  },
  (t) => [
    index("tasks_created").on(t.createdAt),
    index("tasks_creator").on(t.createdBy),
    index("tasks_status_lease").on(t.status, t.leaseUntil),
  ],
);

/** OIDC issuers whose JWTs CI pipelines exchange for short-lived `ztls_` tokens. */
export const tokenIssuers = sqliteTable("token_issuers", {
  id: id(),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  issuerUri: text("issuer_uri").notNull(),
  audience: text("audience").notNull(),
  condition: text("condition").notNull(),
  maxValidity: integer("max_validity").notNull().default(3600),
  serviceAccountId: text("service_account_id").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Zentral-compatible integer user ids (`user.id` in the token-exchange answer is an
 * integer there); assigned on first use, stable for the identity's lifetime.
 */
export const identityNumbers = sqliteTable("identity_numbers", {
  number: integer("number").primaryKey({ autoIncrement: true }),
  identityId: text("identity_id")
    .notNull()
    .unique()
    .references(() => identities.id, { onDelete: "cascade" }),
});
