import createClient from "openapi-fetch";
import { session } from "../auth/session";
import type { paths } from "./schema.gen";

/**
 * fetch with the session: adds the Bearer token, refreshes it when stale, and on a 401
 * refreshes once and retries (the request is cloned first, so its body can be re-sent).
 */
export async function authFetch(input: Request): Promise<Response> {
  if (session.stale() && session.get().status !== "signed-out") await session.refresh();
  const retry = input.clone();
  const send = (req: Request) => {
    const token = session.token();
    if (token) req.headers.set("Authorization", `Bearer ${token}`);
    return fetch(req);
  };
  const res = await send(input);
  if (res.status !== 401 || new URL(input.url).pathname.startsWith("/api/v1/auth/")) return res;
  return (await session.refresh()) ? send(retry) : res;
}

/** The typed native API client (types generated from openapi/native.json). */
export const api = createClient<paths>({ baseUrl: "/api/v1", fetch: authFetch });

/** The native face's error body: `{"error":{"code","message"}}`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorOf(status: number, body: unknown): ApiFailure {
  if (typeof body === "object" && body !== null && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (typeof e === "object" && e !== null) {
      const code = "code" in e && typeof e.code === "string" ? e.code : "error";
      const message = "message" in e && typeof e.message === "string" ? e.message : `Request failed (${status})`;
      return new ApiFailure(status, code, message);
    }
  }
  if (status === 429) return new ApiFailure(status, "rate_limited", "Too many requests. Wait a moment and retry.");
  return new ApiFailure(status, "error", `Request failed (${status})`);
}

/** Unwraps an openapi-fetch result: the data, or throws an ApiFailure with the server's message. */
export async function ok<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Exclude<T, undefined>> {
  const r = await p;
  if (!r.response.ok || r.data === undefined) throw errorOf(r.response.status, r.error);
  return r.data as Exclude<T, undefined>;
}

/** Like ok() for answers without a body (e.g. 200 with nothing, 204). */
export async function done(p: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const r = await p;
  if (!r.response.ok) throw errorOf(r.response.status, r.error);
}

/**
 * Whether the server has an API path, read from the OpenAPI document it serves (fetched once
 * per page load). Asking the document rather than probing the path keeps the console free of
 * 404s on pages whose API this server lacks.
 */
export async function endpointExists(path: RegExp): Promise<boolean> {
  docPaths ??= fetch("/api/v1/openapi.json")
    .then((r) => (r.ok ? r.json() : Promise.reject(new ApiFailure(r.status, "error", "API description unavailable"))))
    .then((doc: unknown) => {
      const paths = typeof doc === "object" && doc !== null && "paths" in doc ? doc.paths : {};
      return new Set(Object.keys(typeof paths === "object" && paths !== null ? paths : {}));
    });
  const known = await docPaths.catch((e: unknown) => {
    docPaths = undefined;
    throw e;
  });
  return [...known].some((p) => path.test(p));
}
let docPaths: Promise<Set<string>> | undefined;

/** Downloads an authenticated API resource as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await authFetch(new Request(`/api/v1${path}`));
  if (!res.ok) throw errorOf(res.status, await res.json().catch(() => undefined));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
