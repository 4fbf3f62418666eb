import { z } from "@hono/zod-openapi";
import { Uuid } from "./common";

/**
 * Host list filters (linux-patch-manager.md §4 Hosts). One schema for the
 * `GET /api/v1/hosts` query and the `hosts` export, so an export holds exactly
 * the rows the list shows (every page of them).
 */
export const HostHealthStatus = z.enum(["pending", "healthy", "degraded", "unreachable"]);
export const HostSortBy = z.enum([
  "fqdn",
  "display_name",
  "ip_address",
  "os",
  "health_status",
  "agent_version",
  "patches_missing",
  "health_check_status",
  "crl_status",
]);
export const SortOrder = z.enum(["asc", "desc"]);

export const HostFilters = z.object({
  search: z.string().max(200).optional().openapi({ description: "Substring of name, FQDN, display name or IP" }),
  health_status: HostHealthStatus.optional(),
  patches_missing: z.enum(["missing", "uptodate"]).optional(),
  group_id: Uuid.optional(),
  os_family: z.string().max(100).optional(),
  // As the reference product does, an unknown sort key sorts by fqdn instead of failing.
  sort_by: z
    .string()
    .max(64)
    .optional()
    .transform((s) => HostSortBy.safeParse(s).data)
    .openapi({ enum: HostSortBy.options, description: "Default fqdn; an unknown key sorts by fqdn" }),
  order: SortOrder.optional().openapi({ description: "Default asc" }),
});
export type HostFilters = z.infer<typeof HostFilters>;

/** Pagination of the list endpoint: limit ≤ 200 (larger values are clamped), default 50. */
export const Pagination = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(50)
    .transform((n) => Math.min(n, 200)),
  offset: z.coerce.number().int().min(0).default(0),
});

export const HostListQuery = HostFilters.extend(Pagination.shape);

/** Export filters: the list filters, strictly (an unknown key is a 400, not silently ignored). */
export const HostExportFilters = HostFilters.strict();
