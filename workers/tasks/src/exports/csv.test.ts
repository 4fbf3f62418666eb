import { describe, expect, it } from "vitest";
import { csvField, csvRecord, writeCsv } from "./csv";
import { exportFilename } from "./export.task";

describe("CSV (RFC 4180) with formula-injection protection", () => {
  it("quotes fields with quotes, commas, CR or LF, doubling inner quotes", () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("plain")).toBe("plain");
  });

  it("prefixes text a spreadsheet would run: = + - @ tab CR", () => {
    expect(csvField("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@cmd")).toBe("'@cmd");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
    expect(csvField("a=b")).toBe("a=b");
  });

  it("numbers and booleans are written as values; null is empty", () => {
    expect(csvField(-5)).toBe("-5");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(true)).toBe("true");
    expect(csvField(null)).toBe("");
  });

  it("every record ends with CRLF", async () => {
    expect(csvRecord(["a", 1, null])).toBe("a,1,\r\n");
    const chunks: Uint8Array[] = [];
    async function* pages() {
      yield [["x", 1]];
      yield [["y", 2]];
    }
    const rows = await writeCsv({ title: "t", columns: ["name", "n"], pages: pages() }, async (c) => {
      chunks.push(c);
    });
    expect(rows).toBe(2);
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe("name,n\r\nx,1\r\ny,2\r\n");
  });

  it("file names follow Zentral's pattern, in UTC", () => {
    const at = Date.UTC(2026, 1, 3, 4, 5, 6);
    expect(exportFilename("hosts", "xlsx", at)).toBe("inventory_export_2026-02-03_04-05-06.xlsx");
    expect(exportFilename("audit", "csv", at)).toBe("audit_export_2026-02-03_04-05-06.csv");
  });
});
