import type { Context } from "hono";
import type { AppEnv } from "../context";
import type { Router } from "./router";

/** What a face's document says of itself. */
export interface FaceDocumentInfo {
  title: string;
  description: string;
}

/**
 * `GET <prefix>/openapi.json` of a face: its OpenAPI 3.1 document, generated per request from the
 * routes of `face()` (the whole face, once mounted) and the schemas its handlers validate with,
 * served from `prefix` at the request's origin.
 */
export const faceDocument = (face: () => Router, info: FaceDocumentInfo, prefix: string) => (c: Context<AppEnv>) =>
  c.json(
    face().getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: info.title, version: c.env.FLEETGATE_VERSION, description: info.description },
      servers: [{ url: `${new URL(c.req.url).origin}${prefix}` }],
    }),
    200,
  );
