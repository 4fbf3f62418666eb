import { presignR2Get, type R2PresignConfig } from "./r2-presign";

/** A stored file as the faces stream it. */
export interface StoredFile {
  body: ReadableStream;
  size: number;
  httpEtag: string;
  text(): Promise<string>;
}

/** Files in R2 (EXPORTS): task results and long job output. */
export interface FilesPort {
  put(key: string, body: string | ArrayBuffer | ReadableStream, contentType: string): Promise<void>;
  get(key: string): Promise<StoredFile | null>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** An R2 presigned GET URL when R2 S3 credentials are configured (not revocable), else undefined. */
  presignedGet(key: string, opts: { ttlSeconds: number; headers: Record<string, string> }): Promise<string | undefined>;
}

/** The R2 binding behind the port; `presign` when R2 S3 credentials are configured. */
export function filesPort(bucket: R2Bucket, presign: R2PresignConfig | undefined): FilesPort {
  return {
    async put(key, body, contentType) {
      await bucket.put(key, body, { httpMetadata: { contentType } });
    },
    async get(key) {
      const object = await bucket.get(key);
      if (!object) return null;
      return { body: object.body, size: object.size, httpEtag: object.httpEtag, text: () => object.text() };
    },
    async exists(key) {
      return (await bucket.head(key)) !== null;
    },
    async delete(key) {
      await bucket.delete(key);
    },
    async presignedGet(key, opts) {
      return presign ? presignR2Get(presign, key, opts) : undefined;
    },
  };
}
