import { AwsClient } from "aws4fetch";

/**
 * The optional alternative to our own signed links (docs/tasks-and-exports.md):
 * an R2 presigned GET URL (AWS SigV4 query signing, which R2's S3 API accepts),
 * so R2 serves the bytes directly. Trade-off: such a URL cannot be revoked —
 * deleting the task does not stop it before it expires, and it skips every
 * check of ours. Used only when all three R2 S3 credentials are configured.
 */
export interface R2PresignConfig {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

/** The config when R2_ACCOUNT_ID, R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY are all set, else undefined. */
export function r2PresignConfig(env: {
  R2_ACCOUNT_ID?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
}): R2PresignConfig | undefined {
  if (!env.R2_ACCOUNT_ID || !env.R2_ACCESS_KEY_ID || !env.R2_SECRET_ACCESS_KEY) return undefined;
  return {
    accountId: env.R2_ACCOUNT_ID,
    accessKeyId: env.R2_ACCESS_KEY_ID,
    secretAccessKey: env.R2_SECRET_ACCESS_KEY,
    bucket: env.R2_BUCKET_NAME || "fleetgate-exports",
  };
}

/**
 * A presigned GET URL for `key`, valid `ttlSeconds` (≤ 300), that makes R2 answer
 * with the stored Content-Type and Content-Disposition (S3 `response-*` overrides).
 * `endpoint` and `datetime` exist for the SigV4 test vector.
 */
export async function presignR2Get(
  cfg: R2PresignConfig,
  key: string,
  opts: { ttlSeconds: number; headers?: Record<string, string>; endpoint?: string; datetime?: string; region?: string },
): Promise<string> {
  const client = new AwsClient({
    accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretAccessKey,
    service: "s3",
    region: opts.region ?? "auto",
  });
  const base = opts.endpoint ?? `https://${cfg.accountId}.r2.cloudflarestorage.com/${cfg.bucket}`;
  const url = new URL(`${base}/${key.split("/").map(encodeURIComponent).join("/")}`);
  url.searchParams.set("X-Amz-Expires", String(Math.min(300, Math.max(1, Math.floor(opts.ttlSeconds)))));
  const type = opts.headers?.["Content-Type"];
  const disposition = opts.headers?.["Content-Disposition"];
  if (disposition) url.searchParams.set("response-content-disposition", disposition);
  if (type) url.searchParams.set("response-content-type", type);
  const signed = await client.sign(new Request(url, { method: "GET" }), {
    aws: { signQuery: true, ...(opts.datetime ? { datetime: opts.datetime } : {}) },
  });
  return signed.url;
}
