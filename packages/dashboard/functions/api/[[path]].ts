/**
 * Cloudflare Pages Function: forwards every /api/… request (WebSocket upgrades included) to
 * the control-plane Worker over the API service binding, so the dashboard on Pages talks to
 * its API same-origin: relative /api/v1 URLs, the refresh cookie and the WebSocket Origin
 * check all work unchanged. Configured in packages/dashboard/wrangler.toml.
 */
interface Env {
  API: { fetch(request: Request): Promise<Response> };
}

export const onRequest = (context: { request: Request; env: Env }): Promise<Response> =>
  context.env.API.fetch(context.request);
