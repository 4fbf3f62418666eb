/**
 * Serves the dashboard (packages/dashboard build, bound as ASSETS) on the control plane's
 * origin. Hashed files under /assets/ never reach the Worker (wrangler.toml run_worker_first
 * excludes them). The Worker answers the SPA's HTML for:
 *  - `/app` and `/app/…` (the dashboard's own paths), and
 *  - `/` when a browser navigates there (`Accept: text/html`); `GET /` for API clients stays
 *    ctrl-exec's JSON index (DESIGN.md: who owns the root paths).
 * Returns undefined for every other request.
 */
export async function serveDashboard(request: Request, assets: Fetcher | undefined): Promise<Response | undefined> {
  if (!assets || (request.method !== "GET" && request.method !== "HEAD")) return undefined;
  const url = new URL(request.url);
  const ownPath = url.pathname === "/app" || url.pathname.startsWith("/app/");
  const browserAtRoot = url.pathname === "/" && wantsHtml(request.headers.get("accept"));
  if (!ownPath && !browserAtRoot) return undefined;
  const res = await assets.fetch(new Request(new URL("/", url), { method: request.method, headers: request.headers }));
  // 304: the browser's cached shell is current (it sent If-None-Match); anything else = no build.
  if (!res.ok && res.status !== 304) return undefined;
  const out = new Response(res.body, res);
  // The shell must be revalidated so a deploy's new hashed assets are picked up.
  out.headers.set("Cache-Control", "no-cache");
  out.headers.append("Vary", "Accept");
  return out;
}

/** True when the client prefers HTML (a browser navigation), not JSON. */
export function wantsHtml(accept: string | null): boolean {
  if (!accept) return false;
  return accept
    .split(",")
    .map((part) => part.split(";")[0]?.trim().toLowerCase())
    .some((type) => type === "text/html" || type === "application/xhtml+xml");
}
