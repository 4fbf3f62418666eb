import { ReportExportRequest } from "@fleetgate/contract";
import { DomainError, findIdentity } from "@fleetgate/domain";
import { z } from "zod";
import { R2Upload } from "../exports/r2-upload";
import { PermanentTaskError, registerTask, type TaskOutput, type TaskRunContext } from "../registry";
import { streamReport } from "./render-report";
import { REPORT_TASK_NAMES, reportDocument, reportTypeOf } from "./report.service";
import { REPORT_CONTENT_TYPES, reportFilename } from "./report-document";

const ReportTaskParams = z.object({ request: ReportExportRequest });
type ReportTaskParams = z.infer<typeof ReportTaskParams>;

/** Runs a report export: the same document as `GET /reports/{type}`, uploaded to R2 under the task's key. */
async function runReport(run: TaskRunContext, { request }: ReportTaskParams): Promise<TaskOutput> {
  const ctx = run.domain;
  // The report shows what its creator may see now: their current role and groups.
  const creator = run.task.createdBy ? await findIdentity(ctx, run.task.createdBy) : undefined;
  if (!creator || creator.disabled)
    throw new PermanentTaskError("the report's creator no longer exists or is disabled");
  const type = reportTypeOf(request.kind);
  let doc: Awaited<ReturnType<typeof reportDocument>>;
  try {
    doc = await reportDocument(ctx, creator, type, request.filters);
  } catch (err) {
    if (err instanceof DomainError) throw new PermanentTaskError(err.message);
    throw err;
  }
  const filename = reportFilename(type, request.format);
  const key = `exports/${run.task.id}/${filename}`;
  const headers = {
    "Content-Type": REPORT_CONTENT_TYPES[request.format],
    "Content-Disposition": `attachment; filename="${filename}"`,
  };
  const upload = new R2Upload(run.env.EXPORTS, key, {
    httpMetadata: { contentType: headers["Content-Type"], contentDisposition: headers["Content-Disposition"] },
    customMetadata: { task_id: run.task.id },
  });
  let rows: number;
  let size: number;
  try {
    // Rows are read page by page and written as they come (CSV chunks, PDF pages): R2 gets 5 MiB parts.
    ({ rows } = await streamReport(doc, request.format, (chunk) => upload.write(chunk)));
    size = await upload.finish();
  } catch (err) {
    await upload.abort();
    throw err;
  }
  return { result: { filepath: key, headers }, fileKey: key, headers, stats: { rows, bytes: size } };
}

for (const name of Object.values(REPORT_TASK_NAMES)) {
  registerTask({ name, params: ReportTaskParams, run: runReport });
}
