import type { ReleaseStore } from "../agent/agent-releases.service";

/**
 * Object storage of the package repository (R2 `EXPORTS`): the agent releases it reads packages
 * from (`agent/releases/`) and the metadata it writes (`repo/`).
 */
export interface RepoStore extends ReleaseStore {
  /** Bytes [offset, offset + length) of an object (fewer at its end); null when absent. */
  readRange(key: string, offset: number, length: number): Promise<Uint8Array | null>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Keys under a prefix (no delimiter). */
  keys(prefix: string): Promise<string[]>;
  delete(keys: string[]): Promise<void>;
}

export function r2RepoStore(bucket: R2Bucket): RepoStore {
  return {
    get: (key) => bucket.get(key),
    head: (key) => bucket.head(key),
    list: (options) => bucket.list(options),
    async readRange(key, offset, length) {
      const object = await bucket.get(key, { range: { offset, length } });
      return object ? new Uint8Array(await object.arrayBuffer()) : null;
    },
    async put(key, body, contentType) {
      await bucket.put(key, body, { httpMetadata: { contentType } });
    },
    async keys(prefix) {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
        out.push(...page.objects.map((o) => o.key));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return out;
    },
    async delete(keys) {
      if (keys.length > 0) await bucket.delete(keys);
    },
  };
}
