/**
 * Writes one R2 object from a stream of chunks in bounded memory: bytes are
 * gathered into fixed-size parts (R2 multipart upload: every part but the last
 * must be ≥ 5 MiB and all of them the same size) and each full part is uploaded
 * before more are accepted. An object smaller than one part is a single `put`.
 */
export const PART_SIZE = 5 * 1024 * 1024;

export class R2Upload {
  readonly #bucket: R2Bucket;
  readonly #key: string;
  readonly #options: R2MultipartOptions;
  readonly #buffer = new Uint8Array(PART_SIZE);
  #filled = 0;
  #total = 0;
  #upload: R2MultipartUpload | undefined;
  readonly #parts: R2UploadedPart[] = [];
  /** The largest number of bytes held at once (the part buffer), for the bench. */
  readonly bufferBytes = PART_SIZE;

  constructor(bucket: R2Bucket, key: string, options: R2MultipartOptions) {
    this.#bucket = bucket;
    this.#key = key;
    this.#options = options;
  }

  get bytesWritten(): number {
    return this.#total;
  }

  get partsUploaded(): number {
    return this.#parts.length;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.byteLength) {
      const n = Math.min(PART_SIZE - this.#filled, chunk.byteLength - off);
      this.#buffer.set(chunk.subarray(off, off + n), this.#filled);
      this.#filled += n;
      this.#total += n;
      off += n;
      if (this.#filled === PART_SIZE) await this.#flushPart();
    }
  }

  async #flushPart(): Promise<void> {
    this.#upload ??= await this.#bucket.createMultipartUpload(this.#key, this.#options);
    const part = await this.#upload.uploadPart(this.#parts.length + 1, this.#buffer.subarray(0, this.#filled));
    this.#parts.push(part);
    this.#filled = 0;
  }

  /** Completes the object; returns its size in bytes. */
  async finish(): Promise<number> {
    if (!this.#upload) {
      await this.#bucket.put(this.#key, this.#buffer.subarray(0, this.#filled), this.#options);
    } else {
      if (this.#filled > 0) await this.#flushPart();
      await this.#upload.complete(this.#parts);
    }
    return this.#total;
  }

  /** Drops an unfinished multipart upload (a crash halfway leaves no object behind). */
  async abort(): Promise<void> {
    const upload = this.#upload;
    this.#upload = undefined;
    if (upload) await upload.abort().catch(() => undefined);
  }
}
