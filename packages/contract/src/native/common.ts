import { z } from "@hono/zod-openapi";

/** RFC 3339 UTC timestamp as the native face renders it. */
export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-06-02T10:11:12.123Z" });
export const Uuid = z.uuid().openapi({ example: "8422fe32-8c0e-4d2b-9b40-2b5f1f5a9f10" });
export const IdParam = z.object({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) });
export const Message = z.object({ message: z.string() }).openapi("Message");
export const Created = z.object({ id: Uuid, message: z.string() }).openapi("Created");
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string(),
      request_id: z.string().nullable(),
      details: z.unknown().nullable(),
    }),
  })
  .openapi("Error");
export const Role = z.enum(["admin", "operator", "reporter"]);

/** Renders epoch milliseconds as RFC 3339. */
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** Standard error responses for a protected native route. */
export const errorResponses = (...codes: (400 | 401 | 403 | 404 | 409 | 415 | 423 | 429)[]) =>
  Object.fromEntries(
    codes.map((code) => [code, { description: "Error", content: { "application/json": { schema: ErrorBody } } }]),
  ) as Record<number, { description: string; content: { "application/json": { schema: typeof ErrorBody } } }>;

export const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
