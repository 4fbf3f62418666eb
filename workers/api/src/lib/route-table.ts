import type { Hono } from "hono";

interface RouteEntry {
  method: string;
  pattern: RegExp;
}

/** Compiles a Hono path (`/users/:id`, `/status/:reqid{[a-f0-9]+}`) to a RegExp. */
function compile(path: string): RegExp {
  let out = "";
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === ":") {
      let j = i + 1;
      while (j < path.length && /[A-Za-z0-9_]/.test(path.charAt(j))) j++;
      if (path[j] === "{") {
        // The pattern may itself contain braces (`{[0-9a-f]{8}}`): find the matching one.
        let depth = 0;
        let end = j;
        for (; end < path.length; end++) {
          if (path[end] === "{") depth++;
          else if (path[end] === "}" && --depth === 0) break;
        }
        out += `(?:${path.slice(j + 1, end)})`;
        j = end + 1;
      } else {
        out += "[^/]+";
      }
      i = j;
    } else if (ch === "*") {
      out += ".*";
      i++;
    } else {
      out += (ch ?? "").replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      i++;
    }
  }
  // Exact, as the app routes (`strict: true`): `/hosts/` is not `/hosts`, so it is a 404, not a 405 naming GET.
  return new RegExp(`^${out}$`);
}

/**
 * Which methods a face serves for a path: lets `notFound` tell 404 from 405
 * (RFC 9110 §15.5.6 requires an `Allow` header with the 405).
 */
export class RouteTable {
  #entries: RouteEntry[] | undefined;
  constructor(private readonly app: Hono<never>) {}

  allowedMethods(path: string): string[] {
    this.#entries ??= this.app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({ method: r.method, pattern: compile(r.path) }));
    const methods = new Set<string>();
    for (const e of this.#entries) if (e.pattern.test(path)) methods.add(e.method);
    return [...methods];
  }
}
