import { ApiErrorEnvelope } from "@fleetgate/contract/ziti";
import type { z } from "@hono/zod-openapi";

/** Public base URL of this deployment: PUBLIC_URL when set, else the request's origin. */
export function baseUrl(publicUrl: string, requestUrl: string): string {
  return (publicUrl || new URL(requestUrl).origin).replace(/\/+$/, "");
}

/** Ziti timestamps: RFC 3339 with fractional seconds, UTC (`2020-03-09T19:03:49.188Z`). */
export const zitiTime = (ms: number) => new Date(ms).toISOString();

/**
 * Go's `time.Time.String()` for a UTC instant (`2006-01-02 15:04:05.999999999 -0700 MST`):
 * the fraction loses trailing zeros and disappears when zero. Used by the `expires-at` header.
 */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-22T15:04:05.120Z
  const frac = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ""} +0000 UTC`;
}

/** `link`: an href relative to the API base (`./identities/<id>`), as the controller renders them. */
export const link = (href: string) => ({ href });

export function entityRef(entity: string, id: string, name: string) {
  return { _links: { self: link(`./${entity}/${id}`) }, entity, id, name };
}

/** Fields every Edge API entity carries (`baseEntity`). */
export function baseEntity(id: string, createdAt: number, updatedAt: number, links: Record<string, { href: string }>) {
  return { id, createdAt: zitiTime(createdAt), updatedAt: zitiTime(updatedAt), _links: links, tags: {} };
}

export const EMPTY = { data: {}, meta: {} };

const ERROR_TEXT: Record<number, string> = {
  400: "The supplied request contains invalid fields or could not be parsed",
  401: "The supplied session does not have the correct access rights to request this resource",
  404: "The requested resource does not exist",
  409: "The request conflicts with the resource's current state",
  429: "The resource requested is rate limited and the rate limit has been exceeded",
};

/** Error responses of a route, all `apiErrorEnvelope`. */
export function errorResponses<S extends 400 | 401 | 404 | 409 | 429>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_TEXT[s] ?? "Error", content: { "application/json": { schema: ApiErrorEnvelope } } },
    ]),
  ) as Record<S, { description: string; content: { "application/json": { schema: typeof ApiErrorEnvelope } } }>;
}

/** A JSON response declaration. */
export const jsonResponse = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
