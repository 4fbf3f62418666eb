import { writeCsv } from "../exports/csv";
import type { PdfSink } from "./pdf/pdf-file";
import { streamPdf, writePdf } from "./pdf-writer";
import { REPORT_CONTENT_TYPES, type ReportDocument, type ReportFormat, reportFilename } from "./report-document";

export interface RenderedReport {
  bytes: Uint8Array<ArrayBuffer>;
  rows: number;
  contentType: string;
  contentDisposition: string;
  filename: string;
}

/** Writes a report as CSV (the exports' formula-safe RFC 4180 writer) or PDF. */
export async function renderReport(report: ReportDocument, format: ReportFormat): Promise<RenderedReport> {
  const filename = reportFilename(report.type, format);
  let bytes: Uint8Array<ArrayBuffer>;
  let rows: number;
  if (format === "pdf") {
    ({ bytes, rows } = await writePdf(report));
  } else {
    const chunks: Uint8Array[] = [];
    let size = 0;
    rows = await writeCsv(report.table, async (c) => {
      chunks.push(c);
      size += c.byteLength;
    });
    bytes = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      bytes.set(c, off);
      off += c.byteLength;
    }
  }
  return {
    bytes,
    rows,
    contentType: REPORT_CONTENT_TYPES[format],
    contentDisposition: `attachment; filename="${filename}"`,
    filename,
  };
}

/**
 * Writes a report into `sink` as it is produced (the task path: an R2 multipart
 * upload), so memory holds one page of rows and one PDF page, never the file.
 */
export async function streamReport(
  report: ReportDocument,
  format: ReportFormat,
  sink: PdfSink,
): Promise<{ rows: number; bytes: number }> {
  if (format === "pdf") return streamPdf(report, sink);
  let bytes = 0;
  const rows = await writeCsv(report.table, async (c) => {
    bytes += c.byteLength;
    await sink(c);
  });
  return { rows, bytes };
}
