import { z } from "@hono/zod-openapi";
import { Pagination } from "./hosts";

/** `GET /api/v1/jobs` takes only pagination (linux-patch-manager.md §4 Jobs), newest first. */
export const JobListQuery = Pagination;

/** The jobs export has no filters: it holds every job the caller may see, with one row per target host. */
export const JobExportFilters = z.object({}).strict();
