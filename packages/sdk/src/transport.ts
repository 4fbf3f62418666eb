import type { AuthState } from "./auth";
import { backoffDelay, sleep } from "./backoff";
import { NetworkError } from "./errors";

export interface TransportOptions {
  auth: AuthState;
  fetch?: (request: Request) => Promise<Response>;
  /** Extra attempts after the first for retryable failures (default 3). */
  retries?: number;
  userAgent?: string;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * A request may be sent again only when a repeat cannot do the work twice: idempotent methods, or a
 * create that carries an `Idempotency-Key` (the server answers a repeated key with the first result).
 */
export function isReplayable(request: Request): boolean {
  return IDEMPOTENT_METHODS.has(request.method) || request.headers.has("idempotency-key");
}

/**
 * The fetch under every SDK call: adds `Authorization` (refreshing a session once, single-flight, on a
 * 401), and retries network errors, 429 and 502–504 with jittered backoff (honouring `Retry-After`) for
 * replayable requests. It never throws for an HTTP status; callers map error responses to typed errors.
 */
export function createTransport(opts: TransportOptions): (request: Request) => Promise<Response> {
  const doFetch = opts.fetch ?? ((r: Request) => globalThis.fetch(r));
  const retries = opts.retries ?? 3;
  const wait = opts.sleep ?? sleep;
  return async (original: Request) => {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const request = original.clone();
      const authorization = request.headers.has("authorization") ? undefined : await opts.auth.header();
      if (authorization) request.headers.set("authorization", authorization);
      if (opts.userAgent && !request.headers.has("user-agent")) request.headers.set("user-agent", opts.userAgent);
      let res: Response;
      try {
        res = await doFetch(request);
      } catch (err) {
        if (request.signal.aborted) throw err;
        if (attempt < retries && isReplayable(original)) {
          await wait(backoffDelay(attempt, 250, 5_000, opts.random), original.signal);
          continue;
        }
        const cause = err instanceof Error ? err.message : String(err);
        throw new NetworkError(`Could not reach ${new URL(original.url).origin}: ${cause}`, 0, "network_error");
      }
      if (res.status === 401 && !refreshed && opts.auth.canRefresh(authorization)) {
        refreshed = true;
        const stale = authorization?.replace(/^Bearer /, "") ?? "";
        await res.body?.cancel();
        await opts.auth.refresh(stale);
        attempt--;
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status) && attempt < retries && isReplayable(original)) {
        const ra = Number(res.headers.get("retry-after"));
        const delay =
          Number.isFinite(ra) && ra >= 0
            ? Math.min(ra * 1000, MAX_RETRY_AFTER_MS)
            : backoffDelay(attempt, 250, 5_000, opts.random);
        await res.body?.cancel();
        await wait(delay, original.signal);
        continue;
      }
      return res;
    }
  };
}
