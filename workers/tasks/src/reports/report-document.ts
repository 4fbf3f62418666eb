import type { Cell, Sheet } from "../exports/sheets";

/** The four reports (linux-patch-manager.md §4 "Status/reports"). */
export const REPORT_TYPES = ["compliance", "patch-history", "vulnerability", "audit"] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
export type ReportFormat = "csv" | "pdf";

/** A chart drawn in the PDF: bars (one value per label) or lines (one or more series over the labels). */
export interface ReportChart {
  title: string;
  kind: "bar" | "line";
  labels: string[];
  series: { name: string; values: number[] }[];
  /** The largest value of the axis (e.g. 100 for percentages); the data's maximum when absent. */
  max?: number;
}

/**
 * A report as both writers see it: the CSV holds `table` (header + every row);
 * the PDF adds a title page (title, filter, generation time, summary table,
 * notes), the charts, then the same rows in paginated tables.
 */
export interface ReportDocument {
  type: ReportType;
  title: string;
  /** The filter as the caller gave it, e.g. [["from", "2026-01-01T00:00:00.000Z"], ["group", "web"]]. */
  filter: [string, string][];
  generatedAt: number;
  summary: [string, Cell][];
  /** Sentences shown under the summary (definitions, what is unknown, the ledger verdict). */
  notes: string[];
  charts: ReportChart[];
  table: Sheet;
  /** Relative PDF column widths (one per column); equal when absent. */
  widths?: number[];
}

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  pdf: "application/pdf",
};

/** The reference's file name: `<type>-report.<ext>`. */
export const reportFilename = (type: ReportType, format: ReportFormat) => `${type}-report.${format}`;
