import { PdfContent, type Rgb } from "./pdf-content";
import { PdfFile, type PdfSink, pdfDate, pdfTextString } from "./pdf-file";
import { type PdfFont, standardFonts, textWidth } from "./pdf-fonts";

export interface PdfPageSize {
  width: number;
  height: number;
}

export interface PdfMeta {
  title: string;
  creator: string;
  producer: string;
  createdAt: number;
}

/** How each page's "page i of n" footer is drawn: `n` is only known at the end. */
export interface PdfFooter {
  /** The text before the page count, e.g. "Report - page 3 of ". */
  label: (page: number) => string;
  size: number;
  color: Rgb;
  /** The x where the page count starts and the baseline y. */
  x: number;
  y: number;
}

/**
 * A PDF of pages written one at a time (`beginPage` … `endPage`): each finished
 * page's content stream and page object go to the sink at once, so memory holds
 * one page, the object offsets and the page object numbers — never the document.
 * The page count in each footer is a form XObject (`/Tot`) every page refers
 * to and that is written at the end, once the count is known.
 */
export class PdfDocumentWriter {
  readonly fonts: { regular: PdfFont; bold: PdfFont };
  readonly #file: PdfFile;
  readonly #size: PdfPageSize;
  readonly #footer: PdfFooter;
  readonly #ids: {
    catalog: number;
    pages: number;
    info: number;
    resources: number;
    f1: number;
    f2: number;
    total: number;
  };
  readonly #pageIds: number[] = [];
  #page: PdfContent | undefined;
  #started = false;

  constructor(sink: PdfSink, size: PdfPageSize, footer: PdfFooter) {
    this.fonts = standardFonts();
    this.#file = new PdfFile(sink);
    this.#size = size;
    this.#footer = footer;
    const f = this.#file;
    this.#ids = {
      catalog: f.reserve(),
      pages: f.reserve(),
      info: f.reserve(),
      resources: f.reserve(),
      f1: f.reserve(),
      f2: f.reserve(),
      total: f.reserve(),
    };
  }

  get pageCount(): number {
    return this.#pageIds.length + (this.#page ? 1 : 0);
  }

  /** The page being drawn (throws when none is open). */
  get page(): PdfContent {
    if (!this.#page) throw new Error("no page is open");
    return this.#page;
  }

  /** Ends the open page (if any) and opens a new one. */
  async beginPage(): Promise<PdfContent> {
    if (!this.#started) {
      this.#started = true;
      await this.#file.start();
      const font = (id: number, name: string) =>
        this.#file.object(id, `<< /Type /Font /Subtype /Type1 /BaseFont /${name} /Encoding /WinAnsiEncoding >>`);
      await font(this.#ids.f1, this.fonts.regular.name);
      await font(this.#ids.f2, this.fonts.bold.name);
      await this.#file.object(
        this.#ids.resources,
        `<< /Font << ${this.fonts.regular.resource} ${this.#ids.f1} 0 R ${this.fonts.bold.resource} ${this.#ids.f2} 0 R >> /XObject << /Tot ${this.#ids.total} 0 R >> /ProcSet [/PDF /Text] >>`,
      );
    }
    await this.endPage();
    this.#page = new PdfContent();
    return this.#page;
  }

  /** Writes the open page: its footer, content stream and page object. */
  async endPage(): Promise<void> {
    const page = this.#page;
    if (!page) return;
    this.#page = undefined;
    const n = this.#pageIds.length + 1;
    const ft = this.#footer;
    const label = ft.label(n);
    page.text(label, ft.x - textWidth(this.fonts.regular, label, ft.size), ft.y, this.fonts.regular, ft.size, ft.color);
    page.xobject("/Tot", ft.x, ft.y);
    const contents = this.#file.reserve();
    const id = this.#file.reserve();
    await this.#file.stream(contents, page.toString());
    await this.#file.object(
      id,
      `<< /Type /Page /Parent ${this.#ids.pages} 0 R /MediaBox [0 0 ${this.#size.width} ${this.#size.height}] /Resources ${this.#ids.resources} 0 R /Contents ${contents} 0 R >>`,
    );
    this.#pageIds.push(id);
  }

  /** Ends the last page and writes the page tree, the page count, the catalog, the info and the xref. Returns the file size. */
  async finish(meta: PdfMeta): Promise<number> {
    if (!this.#page && this.#pageIds.length === 0) await this.beginPage();
    await this.endPage();
    const f = this.#file;
    const ft = this.#footer;
    const count = String(this.#pageIds.length);
    const total = new PdfContent();
    total.text(count, 0, 0, this.fonts.regular, ft.size, ft.color);
    const w = textWidth(this.fonts.regular, count, ft.size);
    await f.stream(
      this.#ids.total,
      total.toString(),
      `/Type /XObject /Subtype /Form /BBox [0 -${ft.size} ${Math.ceil(w) + 1} ${ft.size * 2}] /Resources << /Font << ${this.fonts.regular.resource} ${this.#ids.f1} 0 R >> >>`,
    );
    // One flat page tree: a page object number per page is all it needs.
    await f.object(
      this.#ids.pages,
      `<< /Type /Pages /Kids [${this.#pageIds.map((p) => `${p} 0 R`).join(" ")}] /Count ${count} >>`,
    );
    await f.object(this.#ids.catalog, `<< /Type /Catalog /Pages ${this.#ids.pages} 0 R >>`);
    await f.object(
      this.#ids.info,
      `<< /Title ${pdfTextString(meta.title)} /Creator ${pdfTextString(meta.creator)} /Producer ${pdfTextString(meta.producer)} /CreationDate ${pdfDate(meta.createdAt)} >>`,
    );
    return f.finish(this.#ids.catalog, this.#ids.info);
  }
}
