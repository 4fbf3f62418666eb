import { decodePDFRawStream, PDFDocument, PDFRawStream } from "@pdfme/pdf-lib";

/** The strings a content stream shows with `Tj`, in order (literal strings; octal and `\(` `\)` `\\` escapes). */
function shownStrings(content: string): string[] {
  const out: string[] = [];
  for (const m of content.matchAll(/\(((?:\\[0-7]{1,3}|\\.|[^\\)])*)\)\s*Tj/g)) {
    out.push(
      (m[1] ?? "").replace(/\\([0-7]{1,3}|.)/g, (_, e: string) =>
        /^[0-7]+$/.test(e) ? String.fromCharCode(Number.parseInt(e, 8)) : e,
      ),
    );
  }
  return out;
}

/**
 * The text of each page of a PDF, parsed with pdf-lib (not the writer's own
 * code): each page's content stream decoded (FlateDecode) and its shown strings
 * joined by newlines. Inside workerd, where `pdftotext` is not available.
 */
export async function pdfPageTexts(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.getPages().map((page) => {
    const stream = page.node.Contents();
    if (!(stream instanceof PDFRawStream)) return "";
    const data = decodePDFRawStream(stream).decode();
    let s = "";
    for (let i = 0; i < data.length; i += 8192) s += String.fromCharCode(...data.subarray(i, i + 8192));
    return shownStrings(s).join("\n");
  });
}
