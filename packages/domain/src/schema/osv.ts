import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { json, ms } from "./columns";

/**
 * OSV vulnerability data (docs/reports.md "OSV import"). An import writes its rows under its own
 * `import_id`; only the import a feed's `osv_feeds` row points at is read, so an import that fails
 * half-way is never seen (its rows are deleted) and a finished one replaces the previous in one write.
 */

/** One attempt to import one feed (an OSV ecosystem directory such as `Debian`). */
export const osvImports = sqliteTable(
  "osv_imports",
  {
    id: text("id").primaryKey(),
    feed: text("feed").notNull(),
    /** Where it was read from (URL or `r2://key`). */
    source: text("source").notNull(),
    status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
    startedAt: ms("started_at").notNull(),
    finishedAt: ms("finished_at"),
    records: integer("records").notNull().default(0),
    ranges: integer("ranges").notNull().default(0),
    /** Why it failed (names the record and the limit or parse error; never a response body). */
    error: text("error"),
  },
  (t) => [index("osv_imports_feed").on(t.feed, t.startedAt)],
);

/** The import in force for each feed. */
export const osvFeeds = sqliteTable("osv_feeds", {
  feed: text("feed").primaryKey(),
  importId: text("import_id").notNull(),
  importedAt: ms("imported_at").notNull(),
});

/** One OSV record of an import: its id, the CVE ids it names (id, aliases, upstream) and its severity. */
export const osvVulns = sqliteTable(
  "osv_vulns",
  {
    importId: text("import_id").notNull(),
    id: text("id").notNull(),
    cveIds: json<string[]>("cve_ids").notNull().default([]),
    summary: text("summary"),
    /** The highest severity the record states (vulnerabilities/osv-severity.ts); null: it states none. */
    severity: text("severity", { enum: ["critical", "high", "medium", "low"] }),
    modifiedAt: ms("modified_at"),
  },
  (t) => [primaryKey({ columns: [t.importId, t.id] })],
);

/**
 * An affected version interval of a package in one ecosystem (`debian:12`, `ubuntu:22.04`,
 * `rhel:9`, `rocky:9`, `almalinux:9`): `introduced` ("0" = from the start) up to `fixed`
 * (exclusive) or `last_affected` (inclusive); neither: every later version.
 */
export const osvRanges = sqliteTable(
  "osv_ranges",
  {
    importId: text("import_id").notNull(),
    vulnId: text("vuln_id").notNull(),
    ecosystem: text("ecosystem").notNull(),
    package: text("package").notNull(),
    introduced: text("introduced").notNull(),
    fixed: text("fixed"),
    lastAffected: text("last_affected"),
  },
  (t) => [
    index("osv_ranges_package").on(t.ecosystem, t.package, t.importId),
    index("osv_ranges_import").on(t.importId),
  ],
);
