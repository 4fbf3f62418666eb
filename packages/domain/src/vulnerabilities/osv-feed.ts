import { Unzip, UnzipInflate } from "fflate";
import { OsvRecord } from "./osv-record";

/** Bounds of one feed (docs/reports.md "OSV import"): past any of them the import fails, naming it. */
export const OSV_LIMITS = {
  /** Compressed bytes of one feed file. */
  feedBytes: 1024 * 1024 * 1024,
  /** Uncompressed bytes of one record (a JSON file in the archive). */
  recordBytes: 1024 * 1024,
  /** Records of one feed. */
  records: 500_000,
};

export class OsvFeedError extends Error {}

/**
 * The OSV records of a feed archive (`<ecosystem>/all.zip` as OSV publishes it: one JSON file per
 * record), streamed: the archive is inflated entry by entry, never held whole. Entries other than
 * `*.json` are skipped. Throws `OsvFeedError` naming the entry for a record that is too large, not
 * JSON or not an OSV record, and for an archive that is too large, corrupt or truncated.
 */
export async function* readOsvArchive(
  body: ReadableStream<Uint8Array>,
  limits = OSV_LIMITS,
): AsyncGenerator<OsvRecord> {
  const ready: OsvRecord[] = [];
  let failure: OsvFeedError | undefined;
  let count = 0;
  let open = 0;
  let head: Uint8Array = new Uint8Array(0);
  let tail: Uint8Array = new Uint8Array(0);
  const fail = (message: string) => {
    failure ??= new OsvFeedError(message);
  };
  const unzip = new Unzip((file) => {
    if (failure || !file.name.endsWith(".json")) return;
    if (file.originalSize !== undefined && file.originalSize > limits.recordBytes) {
      fail(`${file.name}: record larger than ${limits.recordBytes} bytes`);
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    open++;
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) return fail(`${file.name}: ${err.message}`);
      size += chunk.byteLength;
      if (size > limits.recordBytes) {
        file.terminate();
        return fail(`${file.name}: record larger than ${limits.recordBytes} bytes`);
      }
      chunks.push(chunk);
      if (!final) return;
      open--;
      if (++count > limits.records) return fail(`more than ${limits.records} records`);
      const bytes = new Uint8Array(size);
      let off = 0;
      for (const c of chunks) {
        bytes.set(c, off);
        off += c.byteLength;
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
      } catch {
        return fail(`${file.name}: not valid UTF-8 JSON`);
      }
      const parsed = OsvRecord.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return fail(
          `${file.name}: not an OSV record (${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"})`,
        );
      }
      ready.push(parsed.data);
    };
    try {
      file.start();
    } catch (err) {
      fail(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  unzip.register(UnzipInflate);
  const reader = body.getReader();
  let total = 0;
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (err) {
      fail(`corrupt archive: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (head.byteLength < 4) head = concat(head, value.subarray(0, 4 - head.byteLength));
      if (head.byteLength >= 4 && !isZipStart(head)) fail("not a ZIP archive");
      tail = concat(tail, value).slice(-EOCD_WINDOW);
      if (total > limits.feedBytes) fail(`feed larger than ${limits.feedBytes} bytes`);
      else push(value, false);
      if (failure) throw failure;
      while (ready.length > 0) yield ready.shift() as OsvRecord;
    }
    if (!isZipStart(head)) fail("not a ZIP archive");
    else push(new Uint8Array(0), true);
    if (!failure && (open > 0 || !hasEndRecord(tail))) fail("truncated archive (no end of central directory)");
    if (failure) throw failure;
    while (ready.length > 0) yield ready.shift() as OsvRecord;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The end-of-central-directory record (22 bytes) plus the longest archive comment. */
const EOCD_WINDOW = 22 + 65_535;

function hasEndRecord(t: Uint8Array): boolean {
  for (let i = t.byteLength - 22; i >= 0; i--)
    if (t[i] === 0x50 && t[i + 1] === 0x4b && t[i + 2] === 5 && t[i + 3] === 6) return true;
  return false;
}

/** A local file header or (empty archive) an end-of-central-directory record (APPNOTE 4.3.7, 4.3.16). */
function isZipStart(b: Uint8Array): boolean {
  return b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
