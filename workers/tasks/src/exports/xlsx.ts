import { WorkbookWriter } from "@cj-tech-master/excelts/browser";
import type { Cell, Sheet } from "./sheets";

/** Excel's limit on the characters in one cell (ECMA-376; "Excel specifications and limits"). */
const MAX_CELL_CHARS = 32_767;

const xlsxCell = (v: Cell): Cell =>
  typeof v === "string" && v.length > MAX_CELL_CHARS ? v.slice(0, MAX_CELL_CHARS) : v;

/**
 * Writes the sheet as an Office Open XML workbook with ExcelTS's streaming
 * writer: rows are committed as they come and the zip is produced on the fly,
 * so memory stays bounded whatever the row count. Strings are written as
 * inline strings (no shared-string table to hold in memory) and are never
 * formulas, so a cell like `=1+1` stays text.
 */
export async function writeXlsx(sheet: Sheet, write: (chunk: Uint8Array) => Promise<void>): Promise<number> {
  const stream = new WritableStream<Uint8Array>({ write: (chunk) => write(chunk) });
  const workbook = new WorkbookWriter({
    stream,
    useSharedStrings: false,
    useStyles: false,
    trueStreaming: true,
    creator: "Fleetgate",
  });
  const ws = workbook.addWorksheet(sheet.title);
  ws.addRow([...sheet.columns]).commit();
  let rows = 0;
  for await (const page of sheet.pages) {
    for (const row of page) {
      ws.addRow(row.map(xlsxCell)).commit();
      rows++;
    }
  }
  ws.commit();
  await workbook.commit();
  return rows;
}
