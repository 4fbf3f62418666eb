/** A response whose body was read and, when it is JSON, parsed. */
export interface HttpResponse {
  status: number;
  contentType: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: unknown;
  headers: Headers;
}

/** The server could not be reached or did not answer in time. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/** One HTTP request with a timeout; bodies are bounded and parsed as JSON when labelled so. */
export async function request(
  url: string,
  init: { method: "GET" | "POST"; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: "application/json", ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
      redirect: "error",
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new NetworkError(`cannot reach ${new URL(url).origin}: ${detail}`);
  }
  const buffer = Buffer.from(await response.arrayBuffer());
  if (buffer.length > MAX_BODY_BYTES) throw new NetworkError(`response from ${new URL(url).origin} is too large`);
  const contentType = response.headers.get("content-type") ?? "";
  let json: unknown;
  if (/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    try {
      json = JSON.parse(buffer.toString("utf8"));
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, contentType, json, headers: response.headers };
}

/** A short description of an error envelope (Ziti `{error:{code,message}}`, or `{error:"..."}`), never the whole body. */
export function describeError(response: HttpResponse): string {
  const body = response.json as { error?: unknown } | undefined;
  const error = body?.error;
  if (typeof error === "string") return `HTTP ${response.status}: ${error.slice(0, 200)}`;
  if (error && typeof error === "object") {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const parts = [typeof code === "string" ? code : null, typeof message === "string" ? message.slice(0, 200) : null];
    const text = parts.filter((p) => p !== null).join(": ");
    if (text) return `HTTP ${response.status} ${text}`;
  }
  return `HTTP ${response.status}`;
}
