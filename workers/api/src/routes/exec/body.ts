import { execRequestError } from "@fleetgate/contract";
import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { badRequest } from "./errors";

/**
 * ctrl-exec body handling, as `Exec::API::_parse_body` does it: the body is
 * JSON whatever the Content-Type (curl's `-d` sends form encoding), must be an
 * object, and the texts of the 400s are fixed (ctrl-exec.md §3).
 */

/** The JSON object body, or a 400 `request body required` / `invalid JSON body`. */
export async function jsonObjectBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await bodyText(c);
  if (text.length === 0) throw badRequest("request body required");
  const parsed = tryParse(text);
  if (!isPlainObject(parsed)) throw badRequest("invalid JSON body");
  return parsed;
}

/** An optional body (discovery): anything that is not a JSON object counts as `{}`. */
export async function lenientBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await bodyText(c);
  if (text.length === 0) return {};
  const parsed = tryParse(text);
  return isPlainObject(parsed) ? parsed : {};
}

/** The body as UTF-8 text, whatever its Content-Type says. */
async function bodyText(c: Context<AppEnv>): Promise<string> {
  return new TextDecoder().decode(await c.req.arrayBuffer());
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Perl truthiness: undef, "", "0", 0 and JSON false are false; everything else is true. */
export const perlTruthy = (v: unknown) =>
  !(v === undefined || v === null || v === false || v === 0 || v === "" || v === "0");

/** `$req->{token} // ''`: a string, or "" (the reference client sends null when unset). */
export const stringOrEmpty = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/** A body checked against its contract schema, or the 400 with ctrl-exec's text for the first failure. */
export function execRequest<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequest(execRequestError(parsed.error));
  return parsed.data;
}

/** `name:port` addresses the same registry name (the agent connects to us; ports mean nothing here). */
export const registryName = (h: string) => h.replace(/:\d+$/, "");

/** The bearer token of `Authorization: Bearer <token>` (ctrl-exec's header regex), or "". */
export function bearerToken(c: Context<AppEnv>): string {
  return /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
}
