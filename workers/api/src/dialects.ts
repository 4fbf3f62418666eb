import type { Context, Hono } from "hono";
import type { AppEnv } from "./context";
import { RouteTable } from "./lib/route-table";
import { agent } from "./routes/agent/index";
import { renderExec } from "./routes/exec/errors";
import { exec } from "./routes/exec/index";
import { filesRouter } from "./routes/files/files.index";
import { renderNative } from "./routes/v1/errors";
import { healthRouter } from "./routes/v1/health/health.index";
import { v1 } from "./routes/v1/index";
import { jwksRouter } from "./routes/v1/jwks/jwks.index";
import { renderZentral } from "./routes/zentral/errors";
import { zentral } from "./routes/zentral/index";
import { cacertsRouter } from "./routes/ziti/enroll/enroll.index";
import { renderZiti } from "./routes/ziti/errors";
import { ziti } from "./routes/ziti/index";

export type FaceName = "native" | "ziti" | "zentral" | "exec";

/**
 * A dialect (face): the routers it mounts, the paths it owns (so a 404, 405,
 * 413 or unhandled error there answers in its shape), how it renders errors,
 * and for Ziti the legacy un-prefixed paths rewritten to its prefix.
 */
export interface Dialect {
  name: FaceName;
  render(c: Context<AppEnv>, err: unknown): Response;
  /** `[prefix, router]` in mount order; the first is the face's API (its 405s come from it). */
  mounts: [string, Hono<AppEnv>][];
  /** Paths owned: an entry ending in `/` is a prefix, any other is the path itself and everything under it. */
  owns: string[];
  /** Exact paths owned (nothing under them). */
  ownsExactly?: string[];
  /** 405s (with Allow) are computed for this face's API under this prefix; others answer 404 only. */
  methodsUnder?: string;
  /** Ziti only: legacy top-level segments, and a legacy prefix, rewritten to the first mount. */
  legacy?: { segments: string[]; prefix: string };
}

/**
 * THE table of dialects (DESIGN.md "Who owns the paths at the root"): it
 * drives the mounts in app.ts, `faceOf` and the legacy Ziti rewrite. Order
 * matters: the first dialect that owns a path answers for it; ctrl-exec owns
 * what is left (the root).
 */
export const DIALECTS: Dialect[] = [
  {
    name: "native",
    render: renderNative,
    mounts: [
      ["/api/v1", v1],
      ["/agent/v1", agent],
      ["/", healthRouter],
      ["/", jwksRouter],
      ["/files", filesRouter],
    ],
    owns: ["/api/v1", "/agent/", "/files/", "/.well-known/jwks.json"],
    ownsExactly: ["/status/health"],
    methodsUnder: "/api/v1",
  },
  {
    name: "ziti",
    render: renderZiti,
    mounts: [
      ["/edge/client/v1", ziti],
      ["/", cacertsRouter],
    ],
    owns: ["/edge/", "/.well-known/est/"],
    methodsUnder: "/edge/client/v1",
    legacy: {
      prefix: "/edge/v1",
      segments: [
        "version",
        "authenticate",
        "current-api-session",
        "current-identity",
        "enroll",
        "services",
        "sessions",
        "enumerated-capabilities",
        "protocols",
        "specs",
        "controllers",
        "external-jwt-signers",
        "network-jwts",
        "posture-response",
        "posture-response-bulk",
        "swagger.json",
      ],
    },
  },
  {
    name: "zentral",
    render: renderZentral,
    mounts: [["/api", zentral]],
    owns: ["/api/"],
    methodsUnder: "/api",
  },
  { name: "exec", render: renderExec, mounts: [["/", exec]], owns: ["/"] },
];

const owns = (d: Dialect, path: string) =>
  (d.ownsExactly ?? []).includes(path) ||
  d.owns.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p || path.startsWith(`${p}/`)));

/** The dialect that owns a path. */
export function dialectOf(path: string): Dialect {
  const found = DIALECTS.find((d) => owns(d, path));
  if (!found) throw new Error(`no dialect owns ${path}`);
  return found;
}

/** Which face owns a path. */
export const faceOf = (path: string): FaceName => dialectOf(path).name;

/** Mounts every dialect's routers on the application, in table order. */
export function mountDialects(app: Hono<AppEnv>): void {
  for (const d of DIALECTS) for (const [prefix, router] of d.mounts) app.route(prefix, router);
}

const tables = new Map<Dialect, RouteTable>();

/** The methods a face's API serves at `path` (for a 405 with Allow), or none. */
export function allowedMethods(d: Dialect, path: string): string[] {
  const prefix = d.methodsUnder;
  const api = d.mounts[0]?.[1];
  if (prefix === undefined || api === undefined || !path.startsWith(prefix)) return [];
  let table = tables.get(d);
  if (!table) {
    table = new RouteTable(api as unknown as Hono<never>);
    tables.set(d, table);
  }
  return table.allowedMethods(path.slice(prefix.length) || "/");
}

/** Rewrites legacy Ziti paths (`/version`, `/authenticate`, `/edge/v1/…`) to the Ziti prefix; others unchanged. */
export function rewriteZitiLegacy(request: Request): Request {
  const url = new URL(request.url);
  const p = url.pathname;
  for (const d of DIALECTS) {
    const base = d.mounts[0]?.[0];
    if (!d.legacy || base === undefined) continue;
    const { prefix, segments } = d.legacy;
    let target: string | undefined;
    if (p === prefix || p.startsWith(`${prefix}/`)) target = `${base}${p.slice(prefix.length)}`;
    else if (segments.includes(p.split("/")[1] ?? "")) target = `${base}${p}`;
    if (target) {
      url.pathname = target;
      return new Request(url, request);
    }
  }
  return request;
}
