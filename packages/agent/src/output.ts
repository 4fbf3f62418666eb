import { StringDecoder } from "node:string_decoder";
import { MAX_CHUNK_BYTES } from "@fleetgate/contract/agent";

/** Raw bytes per streamed chunk, a little under MAX_CHUNK_BYTES so a decoder's carried-over bytes still fit. */
const CHUNK_BYTES = MAX_CHUNK_BYTES - 4;

/** The longest prefix of `buf` (at most `max` bytes) that does not end inside a UTF-8 sequence. */
export function utf8Prefix(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
  let lead = end - 1;
  while (lead > end - 4 && lead > 0 && ((buf[lead] ?? 0) & 0xc0) === 0x80) lead--;
  const first = buf[lead] ?? 0;
  const length = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  if (lead + length > end) end = lead;
  return buf.subarray(0, end);
}

/**
 * One output stream of a command: forwards chunks (≤ 64 KiB, seq 0, 1, 2, …) while fewer
 * than `streamCap` bytes were streamed, and keeps the first `storeCap` bytes for the result.
 * Bytes beyond the caps are read and discarded so the child never blocks on a full pipe.
 */
export class OutputCollector {
  private seq = 0;
  private streamed = 0;
  private received = 0;
  private readonly stored: Buffer[] = [];
  private storedBytes = 0;
  private readonly decoder = new StringDecoder("utf8");

  constructor(
    private readonly streamCap: number,
    private readonly storeCap: number,
    private readonly emit: (seq: number, data: string) => void,
  ) {}

  /** True once more bytes arrived than the result (or the stream) could hold. */
  get truncated(): boolean {
    return this.received > Math.min(this.storeCap, this.streamCap);
  }

  push(data: Buffer): void {
    this.received += data.length;
    if (this.streamed < this.streamCap) {
      const take = data.subarray(0, this.streamCap - this.streamed);
      this.streamed += take.length;
      for (let offset = 0; offset < take.length; offset += CHUNK_BYTES) {
        const text = this.decoder.write(take.subarray(offset, offset + CHUNK_BYTES));
        if (text) this.emit(this.seq++, text);
      }
    }
    // Keep a few bytes past the cap so utf8Prefix can tell where the last whole character ends.
    if (this.storedBytes < this.storeCap + 4) {
      const take = data.subarray(0, this.storeCap + 4 - this.storedBytes);
      this.stored.push(take);
      this.storedBytes += take.length;
    }
  }

  /** Flushes a trailing partial character and returns the stored text. */
  finish(): string {
    const rest = this.decoder.end();
    if (rest) this.emit(this.seq++, rest);
    return utf8Prefix(Buffer.concat(this.stored), this.storeCap).toString("utf8");
  }
}

/** Largest serialised `result` frame the agent sends: below the 1 MiB WebSocket message limit of the server. */
export const MAX_RESULT_FRAME_BYTES = 960 * 1024;

function cutAt(text: string, length: number): string {
  // Never leave half of a UTF-16 surrogate pair at the end.
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/**
 * Shrinks stdout/stderr until the JSON frame fits `maxBytes`. The byte caps bound the raw
 * output, but JSON escaping can inflate it (a control byte becomes `\u0001`, six bytes).
 */
export function fitResultFrame<T extends { stdout: string; stderr: string; truncated: boolean }>(
  frame: T,
  maxBytes = MAX_RESULT_FRAME_BYTES,
): T {
  let current = frame;
  for (let i = 0; i < 20; i++) {
    const size = Buffer.byteLength(JSON.stringify(current));
    if (size <= maxBytes) return current;
    const ratio = (maxBytes / size) * 0.95;
    current = {
      ...current,
      stdout: cutAt(current.stdout, Math.floor(current.stdout.length * ratio)),
      stderr: cutAt(current.stderr, Math.floor(current.stderr.length * ratio)),
      truncated: true,
    };
  }
  return { ...current, stdout: "", stderr: "", truncated: true };
}
