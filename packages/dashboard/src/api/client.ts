import {
  AuthenticationError,
  createFleetgate,
  errorFromResponse,
  FleetgateError,
  readBody,
  ServerError,
} from "@fleetgate/sdk";
import { session } from "../auth/session";

export {
  AuthenticationError,
  ConflictError,
  FleetgateError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ValidationError,
} from "@fleetgate/sdk";

/** The auth endpoints that take no Bearer token (the rest of /auth/… does). */
const PUBLIC_AUTH = new Set([
  "/api/v1/auth/login",
  "/api/v1/auth/refresh",
  "/api/v1/auth/logout",
  "/api/v1/auth/force-change-password",
  "/api/v1/auth/sso/config",
  "/api/v1/auth/sso/handoff",
]);

/** What a request answers once the session is gone: a 401 made here, so nothing is sent that must fail. */
function signedOut(): Response {
  return new Response(JSON.stringify({ error: { code: "signed_out", message: "Signed out" } }), {
    status: 401,
    headers: { "Content-Type": "application/json" },
  });
}

/**
 * The fetch under the SDK client in the browser: adds the in-memory Bearer token, refreshes it
 * through the HttpOnly cookie when stale, and on a 401 refreshes once and retries. Refreshes are
 * single-flight across tabs (session.refresh holds a Web Lock), which is what keeps the server's
 * refresh-token reuse detection from firing on a legitimate user.
 */
export async function sessionFetch(input: Request): Promise<Response> {
  const auth = PUBLIC_AUTH.has(new URL(input.url).pathname);
  // Signed out or signing out (e.g. a query still running as the user signs out): never send a request that must fail.
  if (!auth && (session.get().status === "signed-out" || session.ending())) return signedOut();
  if (!auth && session.stale()) await session.refresh();
  const retry = input.clone();
  const send = (req: Request) => {
    const token = session.token();
    if (token) req.headers.set("Authorization", `Bearer ${token}`);
    return fetch(req);
  };
  const res = await send(input);
  if (res.status !== 401 || auth) return res;
  if (!(await session.refresh())) return res;
  await res.body?.cancel();
  return send(retry);
}

/**
 * The typed SDK client (`@fleetgate/sdk`) on this origin. Its transport retries idempotent requests
 * on network errors, 429 and 502–504; failures surface as the SDK's typed errors.
 */
export const fg = createFleetgate({
  url: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  fetch: sessionFetch,
  retries: 1,
});

/** The typed native API (openapi-fetch over the SDK's transport and generated types). */
export const api = fg.api;

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Unwraps an openapi-fetch result: the data, or throws the SDK's typed error with the server's message. */
export async function ok<T>(p: Promise<Result<T>>): Promise<Exclude<T, undefined>> {
  const r = await p;
  if (!r.response.ok) throw errorFromResponse(r.response, r.error);
  if (r.data === undefined) throw new FleetgateError("Empty response", r.response.status, "empty_response");
  return r.data as Exclude<T, undefined>;
}

/** Like ok() for answers without a body (e.g. 200 with nothing, 204). */
export async function done(p: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const r = await p;
  if (!r.response.ok) throw errorFromResponse(r.response, r.error);
}

/** True for an error that retrying cannot fix (a 4xx answer, or the session being gone). */
export function isFinal(err: unknown): boolean {
  return err instanceof AuthenticationError || (err instanceof FleetgateError && err.status >= 400 && err.status < 500);
}

/**
 * A JSON request to an endpoint this build's generated types may not know yet (it arrives from
 * another part of the API): the answer body, or the SDK's typed error.
 */
export async function requestJson(path: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fg.request(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await readBody(res);
  if (!res.ok) throw errorFromResponse(res, answer);
  return answer;
}

/**
 * Whether the server has an API path, read from the OpenAPI document it serves (fetched once
 * per page load). Asking the document rather than probing the path keeps the console free of
 * 404s on pages whose API this server lacks.
 */
export async function endpointExists(path: RegExp): Promise<boolean> {
  docPaths ??= fetch("/api/v1/openapi.json")
    .then((r) => (r.ok ? r.json() : Promise.reject(new ServerError("API description unavailable", r.status, "error"))))
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

/**
 * Downloads an authenticated resource as a file (`path` from the origin, e.g. a task's
 * download_url): the Bearer token goes with the request, redirects to signed links are followed.
 */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fg.request(path);
  if (!res.ok) throw errorFromResponse(res, await readBody(res));
  const disposition = res.headers.get("content-disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
