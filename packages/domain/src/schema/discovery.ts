import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, ms } from "./columns";
import { hosts } from "./fleet";
import { identities } from "./identity";

/**
 * A network discovery scan (linux-patch-manager.md §4 Discovery) delegated to the agent of
 * `via_host_id`: only that host's channel may write its results, and only while it runs.
 */
export const discoveryScans = sqliteTable(
  "discovery_scans",
  {
    id: id(),
    cidr: text("cidr").notNull(),
    agentPort: integer("agent_port").notNull(),
    viaHostId: text("via_host_id").references(() => hosts.id, { onDelete: "set null" }),
    status: text("status", { enum: ["running", "completed", "failed"] })
      .notNull()
      .default("running"),
    probed: integer("probed").notNull().default(0),
    error: text("error"),
    createdBy: text("created_by").references(() => identities.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    /** A scan whose agent never reports back is failed after this instant. */
    deadlineAt: ms("deadline_at").notNull(),
    completedAt: ms("completed_at"),
  },
  (t) => [index("discovery_scans_created").on(t.createdAt)],
);

/** An address of a scan where something answered; `registered` once a host was made of it. */
export const discoveredHosts = sqliteTable(
  "discovered_hosts",
  {
    id: id(),
    scanId: text("scan_id")
      .notNull()
      .references(() => discoveryScans.id, { onDelete: "cascade" }),
    ipAddress: text("ip_address").notNull(),
    fqdn: text("fqdn"),
    agentPort: integer("agent_port").notNull(),
    agentPortOpen: bool("agent_port_open").notNull(),
    sshOpen: bool("ssh_open").notNull(),
    identity: json<{ common_name: string | null; dns_names: string[]; fingerprint_sha256: string }>("identity"),
    discoveredAt: ms("discovered_at").notNull(),
    registered: bool("registered").notNull().default(false),
    hostId: text("host_id").references(() => hosts.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("discovered_hosts_scan_ip").on(t.scanId, t.ipAddress)],
);
