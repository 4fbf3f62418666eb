import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common";
import { Pagination } from "./hosts";

/**
 * A host's inventory as its agent last reported it (docs/patching.md, "Inventory"):
 * `GET /hosts/{id}/packages`, `GET /hosts/{id}/updates` (security first), `POST /hosts/{id}/refresh`.
 */
export const HostOsFactsBody = z
  .object({
    id: z.string(),
    id_like: z.array(z.string()),
    family: z.enum(["debian", "rhel", "unknown"]),
    version_id: z.string(),
    codename: z.string(),
    pretty_name: z.string(),
    kernel: z.string(),
    arch: z.string(),
  })
  .openapi("HostOsFacts");

/** What the last report said about the host as a whole (null before its agent ever reported). */
export const HostInventoryState = z
  .object({
    os: HostOsFactsBody,
    package_count: z.number().int(),
    update_count: z.number().int(),
    security_update_count: z.number().int(),
    reboot_required: z.boolean(),
    reboot_reasons: z.array(z.string()),
    /** Packages upgrading everything would remove. */
    removals: z.array(z.string()),
    /** Age of the package lists the pending updates were computed from (seconds), null when unknown. */
    lists_age_secs: z.number().int().nullable(),
    collected_at: Timestamp,
    reported_at: Timestamp,
  })
  .openapi("HostInventoryState");

export const HostPackage = z
  .object({
    name: z.string(),
    arch: z.string(),
    version: z.string(),
    source: z.string(),
    source_version: z.string(),
    /** dpkg's status abbreviation (`ii`, `hi` held, `iF` half-configured, …); `ii` for rpm. */
    status: z.string(),
  })
  .openapi("HostPackage");

export const HostUpdate = z
  .object({
    name: z.string(),
    arch: z.string(),
    /** null: the update installs a package that is not installed yet (a new dependency). */
    installed_version: z.string().nullable(),
    candidate_version: z.string(),
    source: z.string().nullable(),
    /** From the repository's metadata; "unknown" when it has no advisory data. */
    security: z.union([z.boolean(), z.literal("unknown")]),
    cve_ids: z.array(z.string()),
    origins: z.array(z.string()),
  })
  .openapi("HostUpdate");

export const HostPackageList = z
  .object({
    packages: z.array(HostPackage),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    inventory: HostInventoryState.nullable(),
  })
  .openapi("HostPackageList");

export const HostUpdateList = z
  .object({
    updates: z.array(HostUpdate),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    inventory: HostInventoryState.nullable(),
  })
  .openapi("HostUpdateList");

export const HostPackagesQuery = Pagination.extend({
  search: z.string().min(1).max(256).optional().openapi({ description: "Packages whose name contains this text" }),
});
export const HostUpdatesQuery = Pagination.extend({
  security: z.enum(["true", "false", "unknown"]).optional().openapi({ description: "Only updates with this flag" }),
});
