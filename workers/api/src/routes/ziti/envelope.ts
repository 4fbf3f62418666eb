import { z } from "@hono/zod-openapi";

/** Public base URL of this deployment: PUBLIC_URL when set, else the request's origin. */
export function baseUrl(publicUrl: string, requestUrl: string): string {
  return (publicUrl || new URL(requestUrl).origin).replace(/\/+$/, "");
}

/** Ziti timestamps: RFC 3339 with fractional seconds, UTC (`2020-03-09T19:03:49.188Z`). */
export const zitiTime = (ms: number) => new Date(ms).toISOString();

export const Meta = z.object({}).passthrough().openapi("Meta");
export const envelopeOf = <T extends z.ZodTypeAny>(data: T, name: string) =>
  z.object({ data, meta: Meta }).openapi(name);
