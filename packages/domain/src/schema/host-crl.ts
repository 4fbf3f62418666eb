import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ms } from "./columns";
import { hosts } from "./fleet";

/**
 * The CRL a host's agent last reported holding (docs/reports.md "CRL status"). No row:
 * the agent never reported one (too old, or never connected). `state` is what the server
 * concluded on receipt: `held` (issuer and number check out), `missing`, `invalid`
 * (the agent said so, or the issuer/number does not match this deployment's CA).
 */
export const hostCrlState = sqliteTable("host_crl_state", {
  hostId: text("host_id")
    .primaryKey()
    .references(() => hosts.id, { onDelete: "cascade" }),
  state: text("state", { enum: ["held", "missing", "invalid"] }).notNull(),
  crlNumber: text("crl_number"),
  issuer: text("issuer"),
  nextUpdate: ms("next_update"),
  /** The held CRL's thisUpdate (null: an agent that does not report it); crl_age_seconds counts from it. */
  thisUpdate: ms("this_update"),
  detail: text("detail"),
  reportedAt: ms("reported_at").notNull(),
});
