import type { Schema } from "./fuzz-values";

export type Face = "native" | "ziti" | "exec" | "zentral";

export interface OpenApiDoc {
  paths: Record<string, Record<string, OperationDoc>>;
  components?: { schemas?: Record<string, Schema> };
}
export interface OperationDoc {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface Operation {
  face: Face;
  method: string;
  /** Path template with `{name}` parameters, relative to the host. */
  path: string;
  doc: OperationDoc;
  spec: OpenApiDoc;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every operation a face's OpenAPI document declares, prefixed with where the face is mounted. */
export function operationsOf(face: Face, spec: OpenApiDoc, prefix: string): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, doc] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      ops.push({ face, method: method.toUpperCase(), path: `${prefix}${path}`, doc, spec });
    }
  }
  return ops;
}

/** Ziti paths served un-prefixed for legacy SDKs (ziti-edge-client.md). */
const ZITI_LEGACY = ["version", "authenticate", "current-api-session", "current-identity", "enroll", "services"];

/** Which face answers `path` (DESIGN.md "Who owns the paths at the root"), written from the doc, not the code. */
export function faceOf(path: string): Face {
  if (path === "/api/v1" || path.startsWith("/api/v1/") || path === "/status/health") return "native";
  if (path.startsWith("/agent/") || path.startsWith("/files/") || path.startsWith("/.well-known/jwks")) return "native";
  if (path.startsWith("/edge/") || path.startsWith("/.well-known/est/")) return "ziti";
  if (ZITI_LEGACY.includes(path.split("/")[1] ?? "")) return "ziti";
  if (path.startsWith("/api/")) return "zentral";
  return "exec";
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Does `body` have the face's error shape? Native: `{error:{code,message}}`;
 * Ziti: `{error:{code,message,requestId}, meta}`; ctrl-exec: `{ok:false,error}`;
 * Zentral (DRF): an object of `detail` or field → list of messages.
 */
export function errorShapeProblem(face: Face, body: unknown): string | undefined {
  if (!isObject(body)) return "not a JSON object";
  switch (face) {
    case "native": {
      const e = body.error;
      if (!isObject(e) || typeof e.code !== "string" || typeof e.message !== "string") return "no error.code/message";
      return undefined;
    }
    case "ziti": {
      const e = body.error;
      if (!isObject(e) || typeof e.code !== "string" || typeof e.message !== "string") return "no error.code/message";
      if (!isObject(body.meta)) return "no meta";
      return undefined;
    }
    case "exec":
      if (body.ok !== false || typeof body.error !== "string") return "not {ok:false,error}";
      return undefined;
    case "zentral": {
      if (typeof body.detail === "string") return undefined;
      const fieldErrors = Object.values(body).every(
        (v) => (Array.isArray(v) && v.every((m) => typeof m === "string")) || isObject(v),
      );
      return fieldErrors && Object.keys(body).length > 0 ? undefined : "not a DRF error";
    }
  }
}
