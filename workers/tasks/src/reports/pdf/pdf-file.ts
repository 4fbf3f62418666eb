import { zlibSync } from "fflate";

/** Where the PDF's bytes go, in order (an R2 multipart upload, or a buffer for a synchronous response). */
export type PdfSink = (chunk: Uint8Array) => Promise<void>;

const latin1 = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
};

/** A PDF text string (Info dictionary): UTF-16BE with a byte-order mark, as hex (PDF 1.7 §7.9.2.2). */
export function pdfTextString(text: string): string {
  let hex = "FEFF";
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, "0").toUpperCase();
  return `<${hex}>`;
}

/** A PDF date (§7.9.4), UTC: `D:YYYYMMDDHHmmSSZ`. */
export const pdfDate = (ms: number) => `(D:${new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z)`;

/**
 * A PDF file written front to back (PDF 1.7 §7.5: header, body, cross-reference
 * table, trailer). Objects go to the sink as soon as they are written; all it
 * keeps is each object's byte offset for the xref table. Object numbers are
 * reserved first and may be written in any order (a page can refer to an object
 * written at the end, e.g. the page count); every reserved number must be written
 * before `finish`.
 */
export class PdfFile {
  readonly #sink: PdfSink;
  readonly #offsets: number[] = [0];
  #pos = 0;
  #finished = false;

  constructor(sink: PdfSink) {
    this.#sink = sink;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#pos;
  }

  async #emit(bytes: Uint8Array): Promise<void> {
    this.#pos += bytes.byteLength;
    await this.#sink(bytes);
  }

  /** The header: version 1.4 and a binary marker comment (the file holds compressed streams). */
  async start(): Promise<void> {
    await this.#emit(latin1("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"));
  }

  /** A new object number (written later with `object` / `stream`). */
  reserve(): number {
    this.#offsets.push(-1);
    return this.#offsets.length - 1;
  }

  #begin(id: number): void {
    if (this.#finished) throw new Error("the PDF is finished");
    if (this.#offsets[id] !== -1) throw new Error(`object ${id} is not reserved or already written`);
    this.#offsets[id] = this.#pos;
  }

  /** Writes object `id` whose body is `body` (a dictionary, array, …, in PDF syntax). */
  async object(id: number, body: string): Promise<void> {
    this.#begin(id);
    await this.#emit(latin1(`${id} 0 obj\n${body}\nendobj\n`));
  }

  /** Writes a stream object: `data` (ASCII content) deflated (FlateDecode), with `dict` entries added. */
  async stream(id: number, data: string, dict = ""): Promise<void> {
    const packed = zlibSync(latin1(data), { level: 6 });
    this.#begin(id);
    const head = latin1(
      `${id} 0 obj\n<< ${dict}${dict ? " " : ""}/Length ${packed.byteLength} /Filter /FlateDecode >>\nstream\n`,
    );
    const tail = latin1("\nendstream\nendobj\n");
    const out = new Uint8Array(head.byteLength + packed.byteLength + tail.byteLength);
    out.set(head, 0);
    out.set(packed, head.byteLength);
    out.set(tail, head.byteLength + packed.byteLength);
    await this.#emit(out);
  }

  /** The cross-reference table and trailer (`root`: the catalog; `info`: the document information). */
  async finish(root: number, info: number): Promise<number> {
    const missing = this.#offsets.findIndex((o, i) => i > 0 && o < 0);
    if (missing > 0) throw new Error(`object ${missing} was reserved but never written`);
    this.#finished = true;
    const xrefAt = this.#pos;
    const size = this.#offsets.length;
    let table = `xref\n0 ${size}\n0000000000 65535 f \n`;
    for (let i = 1; i < size; i++) table += `${String(this.#offsets[i]).padStart(10, "0")} 00000 n \n`;
    const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    table += `trailer\n<< /Size ${size} /Root ${root} 0 R /Info ${info} 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    await this.#emit(latin1(table));
    return this.#pos;
  }
}
