import type { Context } from "hono";
import type { AppEnv } from "../context";

export type FaceName = "native" | "ziti" | "exec" | "zentral";

/** A dialect: how it renders errors, and which paths and methods it serves. */
export interface Face {
  name: FaceName;
  render(c: Context<AppEnv>, err: unknown): Response;
  allowedMethods(path: string): string[];
}

/** Which face owns a path (DESIGN.md "Who owns the paths at the root"). */
export function faceOf(path: string): FaceName {
  if (path === "/api/v1" || path.startsWith("/api/v1/") || path === "/status/health") return "native";
  if (path.startsWith("/.well-known/jwks.json") || path.startsWith("/agent/")) return "native";
  // Signed download links (routes/files) answer in the native shape.
  if (path.startsWith("/files/")) return "native";
  if (path.startsWith("/edge/") || path.startsWith("/.well-known/est/")) return "ziti";
  if (path.startsWith("/api/")) return "zentral";
  return "exec";
}

/** Top-level segments the Ziti controller serves un-prefixed (legacy SDKs), rewritten to /edge/client/v1. */
const ZITI_LEGACY = new Set([
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
]);

/** Rewrites legacy Ziti paths (`/version`, `/authenticate`, `/edge/v1/…`) to `/edge/client/v1/…`; others unchanged. */
export function rewriteZitiLegacy(request: Request): Request {
  const url = new URL(request.url);
  const p = url.pathname;
  let target: string | undefined;
  if (p.startsWith("/edge/v1/") || p === "/edge/v1") target = `/edge/client/v1${p.slice("/edge/v1".length)}`;
  else {
    const first = p.split("/")[1] ?? "";
    if (ZITI_LEGACY.has(first)) target = `/edge/client/v1${p}`;
  }
  if (!target) return request;
  url.pathname = target;
  return new Request(url, request);
}
