import { exports } from "cloudflare:workers";

/** Sends a request to the Worker under test (same isolate as the test). */
export function call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  let body = rest.body;
  if (json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(json);
  }
  return exports.default.fetch(new Request(`http://127.0.0.1${path}`, { ...rest, headers, body }));
}
