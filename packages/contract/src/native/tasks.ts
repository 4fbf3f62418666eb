import { z } from "@hono/zod-openapi";
import { CertificateExportFilters } from "./certificates";
import { Timestamp, Uuid } from "./common";
import { HostExportFilters, Pagination } from "./hosts";
import { JobExportFilters } from "./jobs";
import { AuditQuery } from "./tokens";

export const TaskStatus = z.enum(["PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"]);

export const Task = z
  .object({
    id: Uuid,
    name: z.string().openapi({ example: "fleetgate.exports.export_inventory" }),
    status: TaskStatus,
    unready: z.boolean().openapi({ description: "PENDING or STARTED" }),
    created_by: z.string().nullable(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Without the internal file key" }),
    download_url: z
      .string()
      .nullable()
      .openapi({ example: "/api/task_result/8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10/download/" }),
  })
  .openapi("Task");

export const TaskListQuery = Pagination.extend({ status: TaskStatus.optional() });
export const TaskList = z
  .object({ tasks: z.array(Task), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi("TaskList");

/** What every task producer answers (Zentral `TaskSerializer`). */
export const TaskCreated = z
  .object({
    task_id: Uuid,
    task_result_url: z.string().openapi({ example: "/api/task_result/8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10/" }),
  })
  .openapi("TaskCreated");

export const ExportFormat = z.enum(["csv", "xlsx"]);
/** Audit export filters: the audit list's, without its cursor pagination. */
export const AuditExportFilters = AuditQuery.omit({ cursor: true, limit: true }).strict();

/**
 * `POST /api/v1/exports`: the filters are those of the matching list endpoint
 * (an unknown filter is refused with 400); the export holds every matching row.
 */
export const ExportRequest = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("hosts"),
        format: ExportFormat.default("xlsx"),
        filters: HostExportFilters.prefault({}),
      })
      .strict(),
    z
      .object({ kind: z.literal("jobs"), format: ExportFormat.default("xlsx"), filters: JobExportFilters.prefault({}) })
      .strict(),
    z
      .object({
        kind: z.literal("certificates"),
        format: ExportFormat.default("xlsx"),
        filters: CertificateExportFilters.prefault({}),
      })
      .strict(),
    z
      .object({
        kind: z.literal("audit"),
        format: ExportFormat.default("xlsx"),
        filters: AuditExportFilters.prefault({}),
      })
      .strict(),
  ])
  .openapi("ExportRequest");
export type ExportRequest = z.infer<typeof ExportRequest>;
