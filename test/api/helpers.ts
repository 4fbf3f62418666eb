import { exports } from "cloudflare:workers";

/** Sends a request to the Worker under test (same isolate as the test). */
export function call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  // A distinct client address per request unless a test sets one: per-IP rate limits stay out of unrelated tests.
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", `10.${rnd()}.${rnd()}.${rnd()}`);
  let body = rest.body;
  if (json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(json);
  }
  return exports.default.fetch(new Request(`http://127.0.0.1${path}`, { ...rest, headers, body }));
}

const rnd = () => Math.floor(Math.random() * 256);

/** `{code, message}` of a native error body. */
export async function nativeError(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { code: body.error.code, message: body.error.message };
}
