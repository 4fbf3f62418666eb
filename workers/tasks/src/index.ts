import "./exports/export.task";
import "./notify/notify.task";
import "./reports/report.task";

export { backoffSeconds, handleQueue, LEASE_MS } from "./consumer";
export { pruneTasks, retentionMs, runSweeps, type Sweep, type SweepContext, sweeps } from "./cron";
export type { TasksEnv } from "./env";
export { csvField, writeCsv } from "./exports/csv";
export { CONTENT_TYPES, EXPORT_TASK_NAMES, exportFilename, startExport } from "./exports/export.task";
export { PART_SIZE, R2Upload } from "./exports/r2-upload";
export { TASKS_DEAD_LETTER_QUEUE, TASKS_QUEUE, TaskMessage } from "./messages";
export { PermanentTaskError, registerTask, type TaskDefinition, type TaskOutput } from "./registry";
export { periodOf, produceReport, REPORT_TASK_NAMES, startReportExport } from "./reports/report.service";
export { REPORT_CONTENT_TYPES, REPORT_TYPES, type ReportType, reportFilename } from "./reports/report-document";
