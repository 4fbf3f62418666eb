import { z } from "@hono/zod-openapi";

/**
 * Zentral wire shapes (zentral.md §4). Timestamps are naive UTC ISO-8601
 * (no offset, microseconds only when non-zero); `user.id` is an integer.
 */
export const ZentralTaskResult = z
  .object({
    name: z.string().optional(),
    id: z.string(),
    status: z.string(),
    unready: z.boolean(),
    download_url: z.string().optional(),
    result: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("TaskResult");

export const ZentralTokenExchangeResponse = z
  .object({
    id: z.string(),
    expiry: z.string(),
    name: z.string(),
    secret: z.string(),
    user: z.object({
      id: z.number().int(),
      username: z.string(),
      email: z.string(),
      is_service_account: z.boolean(),
    }),
  })
  .openapi("TokenExchangeResponse");

/** DRF's error body: `{"detail": …}` or the messages of each refused field (or `non_field_errors`). */
export const ZentralErrorResponse = z
  .union([z.object({ detail: z.string() }), z.record(z.string(), z.array(z.string()))])
  .openapi("ErrorResponse");
