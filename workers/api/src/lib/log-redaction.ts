/**
 * Paths whose last segment is a bearer capability: whoever reads it can use it.
 * The access log records the route shape instead (issue 11: polling tokens and
 * reqids in URL paths reached the log).
 *  - `/api/v1/enroll/status/{token}`: an agent's enrollment polling token;
 *  - `/status/{reqid}`: a ctrl-exec reqid, the capability of anonymous status.
 */
const CAPABILITY_PATHS: { prefix: string; name: string }[] = [
  { prefix: "/api/v1/enroll/status/", name: ":token" },
  { prefix: "/status/", name: ":reqid" },
];

/** The request path as the access log may record it: capabilities replaced by their parameter name. */
export function accessLogPath(path: string): string {
  for (const { prefix, name } of CAPABILITY_PATHS) {
    if (path.startsWith(prefix) && path.length > prefix.length) return `${prefix}${name}`;
  }
  return path;
}
