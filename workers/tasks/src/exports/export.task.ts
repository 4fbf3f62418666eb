import { ExportRequest } from "@fleetgate/contract";
import { type DomainContext, findIdentity, startQueuedTask, type TaskRow, visibilityOf } from "@fleetgate/domain";
import { z } from "zod";
import { PermanentTaskError, registerTask, type TaskOutput, type TaskRunContext } from "../registry";
import { writeCsv } from "./csv";
import { R2Upload } from "./r2-upload";
import { auditSheet, certificatesSheet, hostsSheet, jobsSheet, type Sheet } from "./sheets";
import { writeXlsx } from "./xlsx";

type Kind = ExportRequest["kind"];

/** Task names, Celery style (Zentral shows them as `name`). */
export const EXPORT_TASK_NAMES: Record<Kind, string> = {
  hosts: "fleetgate.exports.export_inventory",
  jobs: "fleetgate.exports.export_jobs",
  certificates: "fleetgate.exports.export_certificates",
  audit: "fleetgate.exports.export_audit",
};

const FILE_PREFIX: Record<Kind, string> = {
  hosts: "inventory",
  jobs: "jobs",
  certificates: "certificates",
  audit: "audit",
};

export const CONTENT_TYPES = {
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  csv: "text/csv",
} as const;

const pad = (n: number) => String(n).padStart(2, "0");

/** Zentral's names: `inventory_export_{:%Y-%m-%d_%H-%M-%S}.xlsx` (UTC). */
export function exportFilename(kind: Kind, format: "csv" | "xlsx", at: number): string {
  const d = new Date(at);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}_${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
  return `${FILE_PREFIX[kind]}_export_${stamp}.${format}`;
}

/** Parameters stored in the task row: the validated request and the file name fixed at request time. */
export const ExportParams = z.object({
  request: ExportRequest,
  filename: z.string().regex(/^[a-z]+_export_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.(csv|xlsx)$/),
});
export type ExportParams = z.infer<typeof ExportParams>;

/** The audit entry of a new export or report task: what was asked for, in which format, filtered how. */
export function exportAudit(request: { kind: string; format: string; filters: Record<string, unknown> }) {
  return {
    action: "export.create",
    detail: { kind: request.kind, format: request.format, filters: request.filters },
  };
}

/** Creates an export task (audited) and enqueues it (startQueuedTask: a refused message fails the task). */
export async function startExport(ctx: DomainContext, request: ExportRequest): Promise<TaskRow> {
  const params: ExportParams = { request, filename: exportFilename(request.kind, request.format, ctx.now()) };
  return startQueuedTask(ctx, {
    name: EXPORT_TASK_NAMES[request.kind],
    params,
    audit: exportAudit(request),
  });
}

async function sheetFor(run: TaskRunContext, request: ExportRequest): Promise<Sheet> {
  const ctx = run.domain;
  // The export shows what its creator may see now: their current role and groups.
  const creator = run.task.createdBy ? await findIdentity(ctx, run.task.createdBy) : undefined;
  if (!creator || creator.disabled)
    throw new PermanentTaskError("the export's creator no longer exists or is disabled");
  const v = visibilityOf(creator);
  switch (request.kind) {
    case "hosts":
      return hostsSheet(ctx, request.filters, v);
    case "jobs":
      return jobsSheet(ctx, v);
    case "certificates":
      return certificatesSheet(ctx, request.filters, v);
    case "audit":
      if (creator.role !== "admin") throw new PermanentTaskError("audit exports need the admin role");
      return auditSheet(ctx, request.filters);
  }
}

/** Runs an export: rows from D1 page by page → CSV or XLSX bytes → R2 in parts. The key is fixed per task. */
async function runExport(run: TaskRunContext, params: ExportParams): Promise<TaskOutput> {
  const { request, filename } = params;
  const sheet = await sheetFor(run, request);
  const key = `exports/${run.task.id}/${filename}`;
  const contentType = CONTENT_TYPES[request.format];
  const contentDisposition = `attachment; filename="${filename.replace(/"/g, "'")}"`;
  const upload = new R2Upload(run.env.EXPORTS, key, {
    httpMetadata: { contentType, contentDisposition },
    customMetadata: { task_id: run.task.id },
  });
  let rows: number;
  let size: number;
  try {
    const write = (chunk: Uint8Array) => upload.write(chunk);
    rows = request.format === "csv" ? await writeCsv(sheet, write) : await writeXlsx(sheet, write);
    size = await upload.finish();
  } catch (err) {
    await upload.abort();
    throw err;
  }
  const headers = { "Content-Type": contentType, "Content-Disposition": contentDisposition };
  return { result: { filepath: key, headers }, fileKey: key, headers, stats: { rows, bytes: size } };
}

for (const kind of Object.keys(EXPORT_TASK_NAMES) as Kind[]) {
  registerTask({ name: EXPORT_TASK_NAMES[kind], params: ExportParams, run: runExport });
}
