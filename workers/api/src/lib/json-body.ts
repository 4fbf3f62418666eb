import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../context";
import { CommonError, validationError } from "./http-errors";

/**
 * A JSON body validated by `schema`, for routes that parse outside
 * `createRoute` (e.g. after an authentication that must come first). Failures
 * are CommonErrors, rendered by the face that owns the path.
 */
export async function jsonBody<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new CommonError("malformed_json", "Malformed JSON in request body");
  }
  const res = schema.safeParse(raw);
  if (!res.success) throw validationError(res.error);
  return res.data;
}
