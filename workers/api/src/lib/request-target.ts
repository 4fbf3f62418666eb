/** The request-target as the client sent it: path plus query (a bare `?` kept), no fragment. */
export function requestTarget(req: Request): string {
  const url = new URL(req.url);
  return req.url.slice(url.origin.length).replace(/#.*$/, "");
}
